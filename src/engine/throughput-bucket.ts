import type { CountedOperation } from '../sampling/counted-operation';
import { type ThroughputBucket, mergeThroughput } from '../sampling/throughput';

/**
 * Counted operations as one calculation bucket. Jaeger counts sampled root spans (its target is
 * sampled traces per second and it walks the probability toward it); samplane computes the
 * probability from the request rate.
 */
export function throughputBucket(counted: CountedOperation[], lengthMs: number, algorithm: 'jaeger' | 'samplane'): ThroughputBucket {
  const requests = algorithm === 'samplane';
  const throughput = mergeThroughput(
    counted.map((c) => ({
      service: c.service,
      operation: c.operation,
      count: requests ? c.requests : c.sampled,
      probabilities: c.probabilities,
      ...(requests && { exact: c.exact ?? 0, errors: c.errors, outcomes: c.outcomes ?? c.requests }),
    })),
  );
  return { throughput, intervalSeconds: lengthMs / 1000 };
}
