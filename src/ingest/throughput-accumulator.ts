import type { CountedOperation } from '../sampling/counted-operation';
import { MAX_RECORDED_PROBABILITIES } from '../sampling/throughput';
import { FlushBatch, HELD, HELD_WIDTH, HeldCounts } from '../store/flush-batch';

/**
 * In-memory counters between flushes. Adding is a couple of map lookups so ingest never waits
 * on Redis; a flush drains in one swap. Counts spread over a report's window (a window within
 * `maxWindowMs`) and counts of an instant (spans, X-Ray statistics, reports without a window)
 * are held apart: a flush can take the first alone, since a report's operations arrive once per
 * report, while instants arrive all through a slot and are best written once a slot. Each
 * service holds at most `maxOperations` operations of either kind until they are drained; the
 * rest are refused and counted, so a flood of distinct names cannot grow memory without bound.
 */
export class ThroughputAccumulator {
  private windowed = new Map<string, HeldCounts>();
  private instant = new Map<string, HeldCounts>();
  private open = true;

  /**
   * @param maxWindowMs the longest report window spread back in time (see `reportWindowLimitMs`);
   *   a longer window is taken as this long, ending where it ended.
   */
  constructor(
    private readonly maxOperations: number,
    private readonly maxWindowMs = 0,
  ) {}

  /**
   * Returns false when the operation was refused by the per-service cap. `windowEndMs` is when a
   * report's window ended (its arrival); without it the window ends at the flush that drains it.
   */
  add(
    service: string,
    operation: string,
    sampled: number,
    requests: number,
    errors: number,
    probability: string | undefined,
    exact = 0,
    outcomes = requests,
    windowMs = 0,
    windowEndMs = 0,
  ): boolean {
    const window = Math.min(this.maxWindowMs, windowMs);
    // Two ternaries, not a destructured pair: an array per counted operation on the ingest path.
    const held = window > 0 ? this.windowed : this.instant;
    const other = window > 0 ? this.instant : this.windowed;
    let counts = held.get(service);
    let row = counts ? counts.find(operation) : -1;
    if (!counts || row < 0) {
      // A name the other kind holds already has its place under the cap.
      const placed = (other.get(service)?.find(operation) ?? -1) >= 0;
      if (!placed && this.heldFor(service) >= this.maxOperations) return false;
      if (!counts) {
        counts = new HeldCounts(service);
        held.set(service, counts);
      }
      row = counts.append(operation);
    }
    const v = counts.values;
    const at = row * HELD_WIDTH;
    v[at + HELD.sampled] += sampled;
    v[at + HELD.requests] += requests;
    v[at + HELD.exact] += exact;
    v[at + HELD.errors] += errors;
    v[at + HELD.outcomes] += outcomes;
    // Reports of one operation share a window in practice; mixed, the widest is kept. Its
    // service's counts end with the latest window: one line a flush.
    if (window > v[at + HELD.windowMs]) v[at + HELD.windowMs] = window;
    if (window > 0 && windowEndMs > counts.endMs) counts.endMs = windowEndMs;
    if (probability !== undefined) counts.addProbability(row, probability, MAX_RECORDED_PROBABILITIES);
    return true;
  }

  /**
   * False once shutdown began: what is counted after the last flush would be lost, so every
   * ingest path refuses (or, for X-Ray statistics that come with a poll, skips) counting.
   */
  get accepting(): boolean {
    return this.open;
  }

  stopAccepting(): void {
    this.open = false;
  }

  get isEmpty(): boolean {
    return this.windowed.size === 0 && this.instant.size === 0;
  }

  /** Everything counted since the last drain (`instants` false: the windows' counts alone); those start over empty. */
  drain(instants = true): CountedOperation[] {
    return this.take(instants).toRecords();
  }

  /**
   * The same as the columns they were counted in, for a flush to write as they are: taken at
   * the call, in one swap (later adds go to the next drain).
   */
  take(instants = true): FlushBatch {
    const entries = [...this.windowed.values()];
    this.windowed = new Map();
    if (instants) {
      for (const held of this.instant.values()) entries.push(held);
      this.instant = new Map();
    }
    return new FlushBatch(entries);
  }

  private heldFor(service: string): number {
    return (this.windowed.get(service)?.size ?? 0) + (this.instant.get(service)?.size ?? 0);
  }
}
