import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { AdaptiveCalculator } from '../sampling/calculator';
import { PackedBucket } from '../sampling/packed-bucket';
import { COUNT, COUNT_WIDTH, type PackedCounts } from '../store/packed-counts';
import { dictionary } from '../sampling/dictionary';
import type { OperationThroughput, ServiceThroughput, ThroughputBucket } from '../sampling/throughput';
import type { IntervalCounts } from '../store/throughput-counts';
import type { ThroughputStore } from '../store/throughput-store';
import { catchUpMs } from '../store/store-sizing';
import { TRAFFIC, TRAFFIC_COLUMNS, TrafficColumns } from '../store/traffic-columns';

type Counts = AdaptiveCalculator['counts'];

/**
 * Summed counts as one calculation bucket, with the count the calculator works from: sampled
 * root spans (Jaeger walks the probability toward a sampled-traces target) or requests
 * (`samplane` computes the probability from the request rate, and reads errors and the recent
 * part's requests too).
 *
 * For requests the counts become the bucket in place, each operation's `count` set: a large
 * fleet's interval is not copied into a second set of objects that lives as long. Jaeger keeps
 * its buckets for a whole window, so it gets small copies instead, without the recent part.
 */
export async function bucketOf(counts: IntervalCounts, lengthMs: number, kind: Counts, slicer = UNSLICED): Promise<ThroughputBucket> {
  if (kind === 'requests') {
    for (const operations of counts.values()) {
      for (const c of operations.values()) c.count = c.requests;
      if (slicer.due()) await slicer.yield();
    }
    return { throughput: counts, intervalSeconds: lengthMs / 1000 };
  }
  const throughput: ServiceThroughput = new Map();
  for (const [service, operations] of counts) {
    const converted = new Map<string, OperationThroughput>();
    for (const [operation, c] of operations) {
      converted.set(operation, { count: c.sampled, probabilities: c.probabilities });
    }
    throughput.set(service, converted);
    if (slicer.due()) await slicer.yield();
  }
  return { throughput, intervalSeconds: lengthMs / 1000 };
}

/**
 * The interval's counts as traffic rates per service, as columns carved from one array: a
 * large fleet's million operations, without an object and four boxed numbers each.
 */
export async function trafficOf(counts: PackedCounts, seconds: number, slicer: TimeSlicer = UNSLICED): Promise<Record<string, TrafficColumns>> {
  const traffic = dictionary<TrafficColumns>();
  if (seconds <= 0) return traffic;
  const block = new Float64Array(counts.size * TRAFFIC_COLUMNS);
  let used = 0;
  for (const [service, { ops, values }] of counts.services) {
    const size = ops.length * TRAFFIC_COLUMNS;
    const own = new TrafficColumns(ops, block.subarray(used, used + size));
    used += size;
    for (let row = 0; row < ops.length; row++) {
      const at = row * COUNT_WIDTH;
      const requests = values[at + COUNT.requests];
      const outcomes = values[at + COUNT.outcomes];
      // Errors per request, estimated from the requests whose outcome was seen.
      const errorRate = outcomes > 0 ? Math.min(1, values[at + COUNT.errors] / outcomes) : 0;
      own.set(TRAFFIC.requestsPerSecond, row, requests / seconds);
      own.set(TRAFFIC.sampledPerSecond, row, values[at + COUNT.sampled] / seconds);
      own.set(TRAFFIC.errorsPerSecond, row, (errorRate * requests) / seconds);
      own.set(TRAFFIC.errorRate, row, errorRate);
    }
    traffic[service] = own;
    if (slicer.due()) await slicer.yield();
  }
  return traffic;
}

export interface HistoryRead {
  intervalMs: number;
  buckets: number;
  counts: Counts;
  /** false: kept intervals read packed keep each list's lowest probability alone (`PackedReadOptions.lists`). */
  lists?: boolean;
  service?: string;
  slicer?: TimeSlicer;
  /**
   * Called once each interval of a history read a bucket at a time is taken in and its text
   * and counts are garbage: the calculation thread collects there, or its heap grows to twice
   * the history.
   */
  afterInterval?: () => void;
}

/**
 * The `buckets` intervals ending at `through`, oldest first, read in one go and stopping (from
 * the newest) at the first one without counts, as Jaeger does at start. A new leader warms up
 * from them; a policy preview replays them. They are the intervals the last leaders calculated,
 * kept summed, where those reach `through`; else (a store written by an older version) slots.
 */
export async function readHistory(store: ThroughputStore, through: number, read: HistoryRead): Promise<ThroughputBucket[]> {
  const { bounds, kept } = await historyBounds(store, through, read);
  const intervals = await readBounds(store, bounds, kept, read);
  const buckets: ThroughputBucket[] = [];
  for (let i = intervals.length - 1; i >= 0 && intervals[i].size > 0; i--) {
    buckets.unshift(await bucketOf(intervals[i], bounds[i + 1] - bounds[i], read.counts, read.slicer));
  }
  return buckets;
}

/**
 * `readHistory`, an interval at a time from the newest, each packed as soon as it is read: a
 * new leader's ten intervals of a large fleet as objects were the largest thing it held (285
 * MiB at 200,000 operations), packed they are a third of that and never all objects at once.
 * More round trips than one read (a read's per interval), as many whatever the fleet's size.
 */
export async function readPackedHistory(store: ThroughputStore, through: number, read: HistoryRead): Promise<PackedBucket[]> {
  const { bounds, kept } = await historyBounds(store, through, read);
  return packedFromNewest(store, bounds, kept, read);
}

/**
 * The history for a calculator that folds it (`AdaptiveCalculator.foldHistory`), given to
 * `give` a bucket at a time, oldest first; returns how many. Kept intervals are read oldest
 * first and each is folded as read, so only one is ever held (an interval nobody kept, or
 * that was empty, is not in their chain; one whose values expired reads empty and is left
 * out); a history from slots is read packed from the newest, as its start is the first
 * interval without counts, then given.
 */
export async function feedHistory(
  store: ThroughputStore,
  through: number,
  read: HistoryRead,
  give: (bucket: ThroughputBucket | PackedBucket) => Promise<void>,
): Promise<number> {
  const { bounds, kept } = await historyBounds(store, through, read);
  if (!kept) {
    const packed = await packedFromNewest(store, bounds, kept, read);
    for (const bucket of packed) await give(bucket);
    return packed.length;
  }
  return feedKept(store, bounds, read, give);
}

/**
 * The kept intervals between `bounds` (as `chainBack` gives them), oldest first, each given as
 * a bucket once read; resolves to how many were given (an interval without counts is not).
 */
export async function feedKept(
  store: ThroughputStore,
  bounds: number[],
  read: HistoryRead,
  give: (bucket: ThroughputBucket | PackedBucket) => Promise<void>,
): Promise<number> {
  let given = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    given += await giveKept(store, bounds[i], bounds[i + 1], read, give);
    read.afterInterval?.();
  }
  return given;
}

/** The intervals of `bounds`, each packed as read from the newest, up to the first without counts. */
async function packedFromNewest(store: ThroughputStore, bounds: number[], kept: boolean, read: HistoryRead): Promise<PackedBucket[]> {
  const buckets: PackedBucket[] = [];
  for (let i = bounds.length - 2; i >= 0; i--) {
    const bucket = await readPacked(store, bounds[i], bounds[i + 1], kept, read);
    if (!bucket) break;
    buckets.unshift(bucket);
    read.afterInterval?.();
  }
  return buckets;
}

/** One kept interval given as a bucket (1), or nothing if it has no counts (0); its counts die with this frame. */
async function giveKept(
  store: ThroughputStore,
  from: number,
  to: number,
  read: HistoryRead,
  give: (bucket: ThroughputBucket | PackedBucket) => Promise<void>,
): Promise<number> {
  const counts = await store.readKeptInterval(from, to, { service: read.service, slicer: read.slicer, lists: read.lists });
  if (counts.size === 0) return 0;
  await give(await packedBucketOf(counts, to - from, read.counts, undefined, read.slicer));
  return 1;
}

/**
 * Packed counts as the calculator's bucket, as `bucketOf` makes one of objects: for `samplane`
 * the counts themselves, requests with exact, errors, outcomes and the recent part
 * (`recentSeconds` long, when read), as a packed bucket has its columns where the counts do
 * (copied, an interval of a million operations was 48 MiB more and ~7 % of a new leader's
 * history); for Jaeger, which keeps its buckets for a whole window as they are, the small
 * objects of sampled spans it keeps now.
 */
export async function packedBucketOf(
  counts: PackedCounts,
  lengthMs: number,
  kind: Counts,
  recentSeconds?: number,
  slicer: TimeSlicer = UNSLICED,
): Promise<PackedBucket | ThroughputBucket> {
  if (kind === 'sampled') return sampledBucketOf(counts, lengthMs, slicer);
  return PackedBucket.from(counts.services, lengthMs / 1000, recentSeconds);
}

async function sampledBucketOf(counts: PackedCounts, lengthMs: number, slicer: TimeSlicer): Promise<ThroughputBucket> {
  const throughput: ServiceThroughput = new Map();
  for (const [service, { ops, values, lists }] of counts.services) {
    const operations = new Map<string, OperationThroughput>();
    ops.forEach((op, row) => operations.set(op, { count: values[row * COUNT_WIDTH + COUNT.sampled], probabilities: lists[row] }));
    throughput.set(service, operations);
    if (slicer.due()) await slicer.yield();
  }
  return { throughput, intervalSeconds: lengthMs / 1000 };
}

/** One interval packed, or undefined if it has no counts; its counts die with this call's frame. */
async function readPacked(store: ThroughputStore, from: number, to: number, kept: boolean, read: HistoryRead): Promise<PackedBucket | undefined> {
  const bucket = await readBucket(store, from, to, kept, read);
  return bucket && PackedBucket.of(bucket);
}

/** One interval as a bucket, or undefined if it has no counts. */
async function readBucket(store: ThroughputStore, from: number, to: number, kept: boolean, read: HistoryRead): Promise<ThroughputBucket | undefined> {
  const [counts] = await readBounds(store, [from, to], kept, read);
  return counts.size === 0 ? undefined : bucketOf(counts, to - from, read.counts, read.slicer);
}

/** The intervals of `bounds`, from the kept intervals or from slots. */
function readBounds(store: ThroughputStore, bounds: number[], kept: boolean, read: HistoryRead): Promise<IntervalCounts[]> {
  const options = { service: read.service, slicer: read.slicer };
  return kept ? store.readKept(bounds, options) : store.readIntervals(bounds, options);
}

/**
 * The history's interval bounds: the kept intervals chained back from `through` (each ending
 * where the next begins), or intervals of slots when none ends at `through`: `buckets` of
 * them, but no more than a catch-up holds, as older slots have expired (a partly expired
 * interval would read as too little traffic).
 */
async function historyBounds(store: ThroughputStore, through: number, read: HistoryRead): Promise<{ bounds: number[]; kept: boolean }> {
  const chained = chainBack(await store.keptIntervals(), through, read.buckets);
  if (chained.length > 1) return { bounds: chained, kept: true };
  const bounds = [through];
  const held = Math.floor(catchUpMs({ calculationIntervalMs: read.intervalMs }) / read.intervalMs);
  for (let i = 0; i < Math.min(read.buckets, held); i++) {
    bounds.unshift(Math.floor((bounds[0] - read.intervalMs) / store.slotMs) * store.slotMs);
  }
  return { bounds, kept: false };
}

/**
 * Up to `limit` of the `[from, to]` intervals, chained back from `through`: the bounds, oldest
 * first, ending with `through`; just `[through]` when no interval ends there. An interval
 * missing (no calculation read it) ends the chain, as an interval without counts does.
 */
export function chainBack(intervals: Array<[number, number]>, through: number, limit: number): number[] {
  const fromsByTo = new Map<number, number[]>();
  for (const [from, to] of intervals) if (from < to) fromsByTo.set(to, [...(fromsByTo.get(to) ?? []), from]);
  // Two leaders may have kept different intervals ending alike (one of them fenced): the one
  // the chain goes on from, else the longer.
  const pick = (froms: number[]) => froms.find((from) => fromsByTo.has(from)) ?? Math.min(...froms);
  const bounds = [through];
  while (bounds.length <= limit) {
    const froms = fromsByTo.get(bounds[0]);
    if (!froms) break;
    bounds.unshift(pick(froms.sort((a, b) => a - b)));
  }
  return bounds;
}
