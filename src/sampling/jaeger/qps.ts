import type { ThroughputBucket } from '../throughput';
import type { WeightVectorCache } from './weights';

/** service → operation → QPS values, newest first. */
export type OperationQpsSeries = Map<string, Map<string, number[]>>;

export function bucketQps(count: number, intervalSeconds: number): number {
  return count / intervalSeconds;
}

/**
 * Per operation, the QPS of up to `calculationBuckets` buckets, newest first. A bucket without
 * the operation is skipped rather than read as zero, so a quiet interval does not drag the
 * estimate down; an operation found in no bucket is absent from the result.
 */
export function operationQpsSeries(
  buckets: readonly ThroughputBucket[],
  calculationBuckets: number,
): OperationQpsSeries {
  const series: OperationQpsSeries = new Map();
  for (const bucket of buckets) {
    for (const service of bucket.throughput.keys()) {
      if (!series.has(service)) series.set(service, serviceQpsSeries(buckets, service, calculationBuckets));
    }
  }
  return series;
}

/** The same series for one service's operations. */
export function serviceQpsSeries(
  buckets: readonly ThroughputBucket[],
  service: string,
  calculationBuckets: number,
): Map<string, number[]> {
  const series = new Map<string, number[]>();
  for (const bucket of buckets) {
    for (const [operation, throughput] of bucket.throughput.get(service) ?? []) {
      let values = series.get(operation);
      if (!values) {
        values = [];
        series.set(operation, values);
      }
      if (values.length < calculationBuckets) values.push(bucketQps(throughput.count, bucket.intervalSeconds));
    }
  }
  return series;
}

/** Recency-weighted mean of `values` (newest first); 0 when there are none. */
export function weightedQps(values: readonly number[], weights: WeightVectorCache): number {
  if (values.length === 0) return 0;
  const w = weights.get(values.length);
  let qps = 0;
  for (let i = 0; i < values.length; i++) qps += values[i] * w[i];
  return qps;
}
