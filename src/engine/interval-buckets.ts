import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { AdaptiveCalculator } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
import type { OperationThroughput, ServiceThroughput, ThroughputBucket } from '../sampling/throughput';
import type { OperationTraffic } from '../store/store';
import type { IntervalCounts } from '../store/throughput-counts';
import type { ThroughputStore } from '../store/throughput-store';

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

/** Per-operation rates of one interval, for the explanation views. */
export async function trafficOf(
  counts: IntervalCounts,
  seconds: number,
  slicer: TimeSlicer = UNSLICED,
): Promise<Record<string, Record<string, OperationTraffic>>> {
  const traffic = dictionary<Record<string, OperationTraffic>>();
  if (seconds <= 0) return traffic;
  for (const [service, operations] of counts) {
    const own = (traffic[service] = dictionary<OperationTraffic>());
    for (const [operation, c] of operations) {
      // Errors per request, estimated from the requests whose outcome was seen.
      const errorRate = c.outcomes > 0 ? Math.min(1, c.errors / c.outcomes) : 0;
      own[operation] = {
        requestsPerSecond: c.requests / seconds,
        sampledPerSecond: c.sampled / seconds,
        errorsPerSecond: (errorRate * c.requests) / seconds,
        errorRate,
      };
    }
    if (slicer.due()) await slicer.yield();
  }
  return traffic;
}

export interface HistoryRead {
  intervalMs: number;
  buckets: number;
  counts: Counts;
  service?: string;
  slicer?: TimeSlicer;
}

/**
 * The `buckets` intervals ending at `through`, oldest first, read in one go and stopping (from
 * the newest) at the first one without counts, as Jaeger does at start. A new leader warms up
 * from them; a policy preview replays them.
 */
export async function readHistory(store: ThroughputStore, through: number, read: HistoryRead): Promise<ThroughputBucket[]> {
  const bounds = [through];
  for (let i = 0; i < read.buckets; i++) {
    bounds.unshift(Math.floor((bounds[0] - read.intervalMs) / store.slotMs) * store.slotMs);
  }
  const intervals = await store.readIntervals(bounds, { service: read.service, slicer: read.slicer });
  const buckets: ThroughputBucket[] = [];
  for (let i = intervals.length - 1; i >= 0 && intervals[i].size > 0; i--) {
    buckets.unshift(await bucketOf(intervals[i], bounds[i + 1] - bounds[i], read.counts, read.slicer));
  }
  return buckets;
}
