import type { CountedOperation } from '../../sampling/counted-operation';
import { type ThroughputStore, mergeCounted } from '../throughput-store';

/** The single-replica counterpart of the Redis throughput store, with the same slot rules. */
export class MemoryThroughputStore implements ThroughputStore {
  private readonly slots = new Map<number, CountedOperation[]>();
  private readonly watermarks = new Map<string, number>();

  constructor(
    readonly slotMs: number,
    private readonly retentionMs: number,
  ) {}

  flush(replica: string, drainedAt: number, records: CountedOperation[]): Promise<void> {
    const slot = Math.floor(drainedAt / this.slotMs) * this.slotMs;
    if (records.length > 0) {
      const existing = this.slots.get(slot) ?? [];
      this.slots.set(slot, mergeCounted([...existing, ...structuredClone(records)]));
    }
    this.watermarks.set(replica, drainedAt);
    for (const key of this.slots.keys()) if (key < drainedAt - this.retentionMs) this.slots.delete(key);
    return Promise.resolve();
  }

  read(fromMs: number, toMs: number): Promise<CountedOperation[]> {
    const records: CountedOperation[] = [];
    for (const [slot, slotRecords] of this.slots) {
      if (slot >= fromMs && slot < toMs) records.push(...slotRecords);
    }
    return Promise.resolve(structuredClone(mergeCounted(records)));
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
