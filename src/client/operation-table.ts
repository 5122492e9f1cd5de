import { OperationState } from './operation-state';
import type { ClientStrategy } from './strategy';
import type { Clock } from './timing';

/** What one operation did in one report window. */
export interface OperationWindow {
  operation: string;
  count: number;
  sampled: number;
  errors: number;
  probability: number | undefined;
}

export interface DrainedWindow {
  operations: OperationWindow[];
  /** Root spans decided for names the full table could not hold; not reported by name. */
  untracked: number;
}

const NONE: ReadonlyMap<string, number> = new Map();

/**
 * Every operation the sampler knows, at most `maxOperations` of them (Samplane's own cap per
 * service). Operations the strategy names always have a place. Others are admitted as they
 * are first seen while there is room; once the table is full, a new name is sampled by the
 * default rule and counted only in a total, and at the end of each window unnamed operations
 * that saw no traffic make room. Without that, a flood of generated span names (ids in URLs)
 * would fill memory, or freeze the table for good as jaeger-client's does.
 */
export class OperationTable {
  private states = new Map<string, OperationState>();
  /** Stands in for every name the table has no room for. */
  private readonly overflow = new OperationState('', false);
  private untrackedSinceApply = 0;

  constructor(
    private readonly maxOperations: number,
    private strategy: ClientStrategy,
    now: number,
  ) {
    this.configure(this.overflow, now);
  }

  get size(): number {
    return this.states.size;
  }

  /** Hot path: one map lookup; creates a state only the first time a name is seen. */
  lookup(name: string, clock: Clock): OperationState {
    const state = this.states.get(name);
    if (state !== undefined) return state;
    if (this.states.size >= this.maxOperations) return this.overflow;
    const created = new OperationState(name, false);
    this.configure(created, clock.now());
    this.states.set(name, created);
    return created;
  }

  apply(strategy: ClientStrategy, now: number): void {
    this.strategy = strategy;
    const listed = strategy.kind === 'per-operation' ? strategy.operations : NONE;
    const next = new Map<string, OperationState>();
    for (const name of listed.keys()) {
      const state = this.states.get(name) ?? new OperationState(name, true);
      state.listed = true;
      next.set(name, state);
    }
    for (const [name, state] of this.states) {
      if (next.has(name)) continue;
      if (next.size >= this.maxOperations) {
        // Pushed out by operations the new strategy names; this window's counts for it go to the total.
        this.untrackedSinceApply += state.count;
        continue;
      }
      state.listed = false;
      next.set(name, state);
    }
    this.states = next;
    for (const state of next.values()) this.configure(state, now);
    this.configure(this.overflow, now);
  }

  /** Errors are known only for sampled spans; an unknown name (renamed, evicted) is ignored. */
  recordError(name: string): void {
    const state = this.states.get(name);
    if (state !== undefined) state.errors++;
  }

  /** The window's counts per operation, and a fresh window. */
  drain(): DrainedWindow {
    const operations: OperationWindow[] = [];
    const full = this.states.size >= this.maxOperations;
    for (const state of this.states.values()) {
      if (state.count > 0) {
        operations.push({
          operation: state.name,
          count: state.count,
          sampled: state.sampled,
          // A span started in the previous window may end with an error in this one.
          errors: Math.min(state.errors, state.count),
          probability: state.probability,
        });
      } else if (full && !state.listed) {
        this.states.delete(state.name);
      }
      state.count = 0;
      state.sampled = 0;
      state.errors = 0;
    }
    const untracked = this.overflow.count + this.untrackedSinceApply;
    this.overflow.count = 0;
    this.overflow.sampled = 0;
    this.untrackedSinceApply = 0;
    return { operations, untracked };
  }

  private configure(state: OperationState, now: number): void {
    const strategy = this.strategy;
    switch (strategy.kind) {
      case 'probabilistic':
        state.configure(strategy.probability, 0, now);
        break;
      case 'rate-limiting':
        state.configureRateLimited();
        break;
      case 'per-operation': {
        const own = state === this.overflow ? undefined : strategy.operations.get(state.name);
        // The overflow state gets no lower bound: one limiter shared by unknown names would
        // guarantee nothing to any of them.
        state.configure(own ?? strategy.defaultProbability, state === this.overflow ? 0 : strategy.lowerBound, now);
        break;
      }
    }
  }
}
