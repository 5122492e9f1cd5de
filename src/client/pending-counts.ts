import type { OperationWindow } from './operation-table';

/**
 * Counts drained from the sampler and not yet accepted by Samplane, merged per operation, with
 * the span of time they cover. Samplane counts a report in the time slot it arrives in, so
 * counts held back through an outage and sent at once would read as a burst of traffic: how
 * much time may be merged is bounded, and older counts are dropped first.
 */
export class PendingCounts {
  private entries = new Map<string, OperationWindow>();
  private covered = 0;

  constructor(private readonly maxCoveredMs: number) {}

  get coveredMs(): number {
    return this.covered;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Adds newer counts. Returns how many pending entries were dropped to stay within the bound
   * (all of the older ones, when the new window would push the total past it).
   */
  addNewer(operations: readonly OperationWindow[], windowMs: number): number {
    let dropped = 0;
    // Idle windows before the first counts carry nothing worth stretching the report over.
    if (this.entries.size === 0) this.covered = 0;
    else if (this.covered + windowMs > this.maxCoveredMs) dropped = this.clear();
    for (const op of operations) {
      const existing = this.entries.get(op.operation);
      if (existing === undefined) this.entries.set(op.operation, { ...op });
      else merge(existing, op, op.probability);
    }
    this.covered += windowMs;
    return dropped;
  }

  /**
   * Puts back counts that could not be sent; they are older than anything pending. Returns
   * how many of them were dropped because keeping them would exceed the bound.
   */
  addOlder(operations: readonly OperationWindow[], windowMs: number): number {
    if (this.covered + windowMs > this.maxCoveredMs) return operations.length;
    for (const op of operations) {
      const existing = this.entries.get(op.operation);
      if (existing === undefined) this.entries.set(op.operation, { ...op });
      else merge(existing, op, existing.probability ?? op.probability);
    }
    this.covered += windowMs;
    return 0;
  }

  /** Everything pending; the set starts over empty. */
  take(): { operations: OperationWindow[]; coveredMs: number } {
    const taken = { operations: [...this.entries.values()], coveredMs: this.covered };
    this.entries = new Map();
    this.covered = 0;
    return taken;
  }

  private clear(): number {
    const dropped = this.entries.size;
    this.entries = new Map();
    this.covered = 0;
    return dropped;
  }
}

/** The probability reported is the most recent one: it is the one Samplane last served. */
function merge(into: OperationWindow, from: OperationWindow, probability: number | undefined): void {
  into.count += from.count;
  into.sampled += from.sampled;
  into.errors += from.errors;
  into.probability = probability;
}
