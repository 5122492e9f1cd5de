import { PACKED, PACKED_WIDTH, PackedBucket } from '../packed-bucket';
import type { ThroughputBucket } from '../throughput';
import { bucketQps } from './qps';

// Columns of a row after its counts: what the previous calculation read and concluded.
const SEEN_PROBABILITY = 0; // NaN: the operation was not in it
const SEEN_ADAPTIVE = 1;
const PROBABILITY = 2; // the probability it calculated; NaN: none
const STATE_COLUMNS = 3;

/**
 * One service's operations over the held buckets, a row each in one Float64Array: a count per
 * bucket (NaN where the bucket lacks the operation), then the previous calculation's
 * observation and result. The name is held once, however many buckets name it.
 */
export class ServiceRows {
  readonly names: string[] = [];
  private readonly rows = new Map<string, number>();
  /** The newest bucket's probability lists, by row; undefined where it lacks the operation. */
  private lists: Array<readonly string[] | undefined> = [];
  private values: Float64Array;
  /** The bucket serial this service was last counted in. */
  lastSeen = 0;

  constructor(
    private readonly slots: number,
    capacity: number,
  ) {
    this.values = new Float64Array(Math.max(1, capacity) * this.width);
  }

  private get width(): number {
    return this.slots + STATE_COLUMNS;
  }

  get size(): number {
    return this.names.length;
  }

  /** Rows there is room for before the array grows. */
  get capacity(): number {
    return this.values.length / this.width;
  }

  /** Sets `operation`'s count in `slot`, making it a row when new; `lists` when the slot is the newest. */
  count(operation: string, slot: number, count: number, lists: readonly string[]): void {
    let row = this.rows.get(operation);
    if (row === undefined) row = this.add(operation);
    this.values[row * this.width + slot] = count;
    this.lists[row] = lists;
  }

  /** Forgets every row's count in `slot` (and the newest lists), before a bucket takes it. */
  clearSlot(slot: number): void {
    const width = this.width;
    for (let at = slot, end = this.names.length * width; at < end; at += width) this.values[at] = Number.NaN;
    this.lists.fill(undefined);
  }

  countAt(row: number, slot: number): number {
    return this.values[row * this.width + slot];
  }

  /** `row`'s probability list in the newest bucket, undefined where that bucket lacks it. */
  newestLists(row: number): readonly string[] | undefined {
    return this.lists[row];
  }

  /** What the previous calculation read and concluded of `row`, if it was in it. */
  seen(row: number): { probability: number; usingAdaptive: boolean } | undefined {
    const at = row * this.width + this.slots;
    const probability = this.values[at + SEEN_PROBABILITY];
    return Number.isNaN(probability) ? undefined : { probability, usingAdaptive: this.values[at + SEEN_ADAPTIVE] === 1 };
  }

  /** The probability the last calculation gave `row` (NaN: none). */
  probability(row: number): number {
    return this.values[row * this.width + this.slots + PROBABILITY];
  }

  /** This calculation's reading of `row`: the probability it started from, whether adaptive, the one it gave. */
  calculated(row: number, previous: number, usingAdaptive: boolean, next: number): void {
    const at = row * this.width + this.slots;
    this.values[at + SEEN_PROBABILITY] = previous;
    this.values[at + SEEN_ADAPTIVE] = usingAdaptive ? 1 : 0;
    this.values[at + PROBABILITY] = next;
  }

  /** Every row's calculated probability forgotten (a restore replaces them). */
  forgetProbabilities(): void {
    const width = this.width;
    for (let at = this.slots + PROBABILITY, end = this.names.length * width; at < end; at += width) this.values[at] = Number.NaN;
  }

  /**
   * Removes the rows no held bucket counts (in `held`), keeping the others' order: an
   * operation absent from every bucket is dropped, and starts afresh should it come back.
   */
  prune(held: readonly number[]): void {
    const width = this.width;
    let kept = 0;
    for (let row = 0; row < this.names.length; row++) {
      const at = row * width;
      if (!held.some((slot) => !Number.isNaN(this.values[at + slot]))) {
        this.rows.delete(this.names[row]);
        continue;
      }
      if (kept !== row) {
        this.values.copyWithin(kept * width, at, at + width);
        this.names[kept] = this.names[row];
        this.lists[kept] = this.lists[row];
        this.rows.set(this.names[kept], kept);
      }
      kept++;
    }
    this.names.length = kept;
    this.lists.length = kept;
    // A burst of names gone again gives its room back, as the buckets that held it would have.
    if (this.values.length > 4 * Math.max(16, kept) * width) this.values = this.values.slice(0, Math.max(16, Math.ceil(kept * 1.5)) * width);
  }

  private add(operation: string): number {
    const row = this.names.length;
    const width = this.width;
    if ((row + 1) * width > this.values.length) {
      // Half again rather than double: across a million operations the slack is what costs.
      const grown = new Float64Array(Math.max((row + 1) * width, Math.ceil(this.values.length * 1.5 / width) * width));
      grown.set(this.values);
      this.values = grown;
    }
    this.values.fill(Number.NaN, row * width, (row + 1) * width);
    this.names.push(operation);
    this.lists.push(undefined);
    this.rows.set(operation, row);
    return row;
  }
}

/**
 * Jaeger's window of buckets (the newest `slots`), held as a row of numbers per operation
 * rather than as the buckets' maps of objects: at a million operations ten buckets of objects
 * held 2.7 GiB, past the default heap; here they are ten numbers an operation.
 */
export class BucketHistory {
  readonly services = new Map<string, ServiceRows>();
  /** Each slot's interval in seconds; a slot is reused by every `slots`-th bucket. */
  private readonly seconds: number[];
  private added = 0;

  constructor(private readonly slots: number) {
    this.seconds = new Array<number>(slots).fill(0);
  }

  /** Buckets held, at most `slots`. */
  get held(): number {
    return Math.min(this.added, this.slots);
  }

  /** The slots of the held buckets, newest first. */
  heldSlots(): number[] {
    const newest = (this.added - 1) % this.slots;
    return Array.from({ length: this.held }, (_, k) => (newest - k + this.slots) % this.slots);
  }

  intervalSeconds(slot: number): number {
    return this.seconds[slot];
  }

  /**
   * `row`'s QPS in up to `limit` of the held buckets `slots` (newest first, see `heldSlots`),
   * skipping buckets without it, so a quiet interval does not drag Jaeger's estimate down;
   * written into `into`, which is returned.
   */
  qpsSeries(rows: ServiceRows, row: number, slots: readonly number[], limit: number, into: number[] = []): number[] {
    into.length = 0;
    for (const slot of slots) {
      const count = rows.countAt(row, slot);
      if (Number.isNaN(count)) continue;
      into.push(bucketQps(count, this.seconds[slot]));
      if (into.length === limit) break;
    }
    return into;
  }

  /** Whether `service` was counted in a held bucket (even with no operations). */
  holds(rows: ServiceRows): boolean {
    return rows.lastSeen > this.added - this.held;
  }

  /** Adds the newest bucket, in place of the oldest once `slots` are held. */
  add(bucket: ThroughputBucket | PackedBucket): void {
    const slot = this.added % this.slots;
    this.added++;
    this.seconds[slot] = bucket.intervalSeconds;
    for (const rows of this.services.values()) rows.clearSlot(slot);
    if (bucket instanceof PackedBucket) {
      for (const [service, { ops, values, lists }] of bucket.services) {
        const rows = this.rowsOf(service, ops.length);
        for (let i = 0; i < ops.length; i++) rows.count(ops[i], slot, values[i * PACKED_WIDTH + PACKED.count], lists[i]);
      }
    } else {
      for (const [service, operations] of bucket.throughput) {
        const rows = this.rowsOf(service, operations.size);
        for (const [operation, t] of operations) rows.count(operation, slot, t.count, t.probabilities);
      }
    }
  }

  /** Drops the services no held bucket counts. */
  prune(): void {
    for (const [service, rows] of this.services) if (!this.holds(rows)) this.services.delete(service);
  }

  private rowsOf(service: string, operations: number): ServiceRows {
    let rows = this.services.get(service);
    if (!rows) {
      rows = new ServiceRows(this.slots, operations);
      this.services.set(service, rows);
    }
    rows.lastSeen = this.added;
    return rows;
  }
}
