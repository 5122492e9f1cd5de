import type { CountedOperation } from '../../sampling/counted-operation';
import { type IntervalCounts, addCounted, addFields, toCounted } from '../throughput-counts';
import type { ReadOptions, ThroughputStore } from '../throughput-store';
import { intervalOf } from '../throughput-intervals';

/** The single-replica counterpart of the Redis throughput store, with the same slot rules. */
export class MemoryThroughputStore implements ThroughputStore {
  private readonly slots = new Map<number, IntervalCounts>();
  private readonly watermarks = new Map<string, number>();

  constructor(
    readonly slotMs: number,
    private readonly retentionMs: number,
  ) {}

  flush(replica: string, drainedAt: number, records: CountedOperation[]): Promise<void> {
    const slot = Math.floor(drainedAt / this.slotMs) * this.slotMs;
    if (records.length > 0) {
      let counts = this.slots.get(slot);
      if (!counts) {
        counts = new Map();
        this.slots.set(slot, counts);
      }
      for (const record of records) addCounted(counts, record);
    }
    this.watermarks.set(replica, drainedAt);
    for (const key of this.slots.keys()) if (key < drainedAt - this.retentionMs) this.slots.delete(key);
    return Promise.resolve();
  }

  async readIntervals(bounds: number[], options: ReadOptions = {}): Promise<IntervalCounts[]> {
    const intervals: IntervalCounts[] = bounds.slice(1).map(() => new Map());
    for (const [slot, counts] of this.slots) {
      const target = intervals[intervalOf(bounds, slot)];
      if (!target) continue;
      for (const [service, operations] of counts) {
        if (options.service !== undefined && service !== options.service) continue;
        for (const [operation, c] of operations) {
          addFields(target, service, operation, c.sampled, c.requests, c.exact, c.errors, c.outcomes, c.probabilities);
        }
        if (options.slicer?.due()) await options.slicer.yield();
      }
    }
    return intervals;
  }

  async read(fromMs: number, toMs: number, options?: ReadOptions): Promise<CountedOperation[]> {
    const [counts] = await this.readIntervals([fromMs, toMs], options);
    return toCounted(counts);
  }

  flushedThrough(aliveSince: number): Promise<number | undefined> {
    let lowest: number | undefined;
    for (const [replica, at] of this.watermarks) {
      if (at < aliveSince) {
        this.watermarks.delete(replica);
        continue;
      }
      lowest = lowest === undefined ? at : Math.min(lowest, at);
    }
    return Promise.resolve(lowest);
  }
}
