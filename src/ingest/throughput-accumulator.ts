import { type TimeSlicer, runInSlices, runToEnd } from '../common/time-slicer';
import type { CountedOperation } from '../sampling/counted-operation';
import { MAX_RECORDED_PROBABILITIES } from '../sampling/throughput';
import { type OperationCounts, countedRecord } from '../store/throughput-counts';

/**
 * An operation's counts since the last drain, the widest report window among them and when the
 * latest of those windows ended (0: none said). The probabilities seen are a short list (at most
 * MAX_RECORDED_PROBABILITIES, one in practice): a Set per operation per second would be most of
 * what ingest allocates.
 */
type Counts = Omit<OperationCounts, 'probabilities' | 'count' | 'recent'> & { probabilities: string[]; windowMs: number; endMs: number };

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
  private windowed = new Map<string, Map<string, Counts>>();
  private instant = new Map<string, Map<string, Counts>>();
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
    let operations = held.get(service);
    let counts = operations?.get(operation);
    if (!counts) {
      // A name the other kind holds already has its place under the cap.
      if (!other.get(service)?.has(operation) && this.heldFor(service) >= this.maxOperations) return false;
      if (!operations) {
        operations = new Map();
        held.set(service, operations);
      }
      counts = { sampled: 0, requests: 0, exact: 0, errors: 0, outcomes: 0, probabilities: [], windowMs: 0, endMs: 0 };
      operations.set(operation, counts);
    }
    counts.sampled += sampled;
    counts.requests += requests;
    counts.exact += exact;
    counts.errors += errors;
    counts.outcomes += outcomes;
    // Reports of one operation share a window in practice; mixed, the widest is kept.
    if (window > counts.windowMs) counts.windowMs = window;
    if (window > 0 && windowEndMs > counts.endMs) counts.endMs = windowEndMs;
    const seen = counts.probabilities;
    if (probability !== undefined && seen.length < MAX_RECORDED_PROBABILITIES && !seen.includes(probability)) {
      seen.push(probability);
    }
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
    return runToEnd(this.drainSteps(instants));
  }

  /**
   * The same, giving the event loop a turn between services: a large fleet's second of counts
   * is tens of thousands of records. The counts are taken at the call; later adds go to the next drain.
   */
  drainInSlices(slicer: TimeSlicer, instants = true): Promise<CountedOperation[]> {
    return runInSlices(this.drainSteps(instants), slicer);
  }

  private heldFor(service: string): number {
    return (this.windowed.get(service)?.size ?? 0) + (this.instant.get(service)?.size ?? 0);
  }

  private *drainSteps(instants: boolean): Generator<void, CountedOperation[]> {
    const drained = [this.windowed];
    this.windowed = new Map();
    if (instants) {
      drained.push(this.instant);
      this.instant = new Map();
    }
    const out: CountedOperation[] = [];
    for (const held of drained) {
      for (const [service, operations] of held) {
        // One end for the service's windows, the latest: its counts stay one line a flush.
        let endMs = 0;
        for (const c of operations.values()) if (c.endMs > endMs) endMs = c.endMs;
        for (const [operation, c] of operations) {
          // The drained counts are not touched again: their list becomes the record's.
          const record = countedRecord(service, operation, c, c.probabilities);
          if (c.windowMs > 0) {
            record.windowMs = c.windowMs;
            if (endMs > 0) record.endMs = endMs;
          }
          out.push(record);
        }
        yield;
      }
    }
    return out;
  }
}
