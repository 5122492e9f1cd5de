import { type ServiceThroughput, type ThroughputBucket, unionProbabilities } from '../sampling/throughput';
import type { SimulatedAlgorithm } from './scenario';

/** One bucket's counts per operation index, as the fleet produced them. */
export interface BucketCounts {
  requests: Float64Array;
  /** Requests in the bucket's recent part (its last quarter), as the engine splits it. */
  recent: Float64Array;
  /** Failed requests. */
  errors: Float64Array;
  sampled: Record<SimulatedAlgorithm, Float64Array>;
  /** Sampled traces of failed requests. */
  sampledErrors: Record<SimulatedAlgorithm, Float64Array>;
  probabilities: Record<SimulatedAlgorithm, (Set<string> | undefined)[]>;
}

/** What `toBucket` needs to know of an operation. */
export interface BucketOperation {
  service: string;
  operation: string;
  index: number;
}

/**
 * The bucket the engine would hand each algorithm: `jaeger` only ever hears of sampled spans,
 * so an operation without one is absent; `samplane` counts every request (`requests`: those of
 * the whole bucket) and, given `errors`, the failed ones among them, all outcomes seen, as the
 * engine passes exact reports on, and, given `recent`, the requests of the bucket's recent part.
 */
export function toBucket(
  algorithm: SimulatedAlgorithm,
  operations: readonly BucketOperation[],
  requests: Float64Array,
  counts: BucketCounts,
  intervalSeconds: number,
  errors?: Float64Array,
  recent?: Float64Array,
): ThroughputBucket {
  const throughput: ServiceThroughput = new Map();
  for (const op of operations) {
    const count = algorithm === 'jaeger' ? counts.sampled[algorithm][op.index] : requests[op.index];
    if (count <= 0) continue;
    let serviceThroughput = throughput.get(op.service);
    if (!serviceThroughput) {
      serviceThroughput = new Map();
      throughput.set(op.service, serviceThroughput);
    }
    const existing = serviceThroughput.get(op.operation);
    const probabilities = counts.probabilities[algorithm][op.index] ?? new Set<string>();
    // samplane's fleet reports every request, as `samplane/client` does: the counts are exact.
    const exact = algorithm === 'samplane' ? count : undefined;
    const failed = algorithm === 'samplane' && errors ? errors[op.index] : undefined;
    const inRecent = algorithm === 'samplane' && recent ? recent[op.index] : undefined;
    if (existing) {
      existing.count += count;
      if (exact !== undefined) existing.exact = (existing.exact ?? 0) + exact;
      if (failed !== undefined) {
        existing.errors = (existing.errors ?? 0) + failed;
        existing.outcomes = (existing.outcomes ?? 0) + count;
      }
      if (inRecent !== undefined) existing.recent = (existing.recent ?? 0) + inRecent;
      existing.probabilities = unionProbabilities(existing.probabilities, probabilities);
    } else {
      serviceThroughput.set(op.operation, {
        count,
        probabilities: unionProbabilities([], probabilities),
        ...(exact !== undefined && { exact }),
        ...(failed !== undefined && { errors: failed, outcomes: count }),
        ...(inRecent !== undefined && { recent: inRecent }),
      });
    }
  }
  return { throughput, intervalSeconds };
}
