import type { ThroughputBucket } from './throughput';

/** service → operation → value. */
export type Probabilities = Record<string, Record<string, number>>;

export interface CalculationResult {
  probabilities: Probabilities;
  /** The QPS each probability was computed from (sampled traces per second). */
  qps: Probabilities;
}

/**
 * One adaptive algorithm: throughput buckets in, per-operation probabilities out. Pure and
 * synchronous; the scheduler, the store and leadership live around it.
 */
export interface AdaptiveCalculator {
  readonly algorithm: 'jaeger' | 'samplane';
  /** Seeds the last computed probabilities (a new leader continues from them, never from the initial value). */
  restore(probabilities: Probabilities): void;
  /** Prepends one bucket (keeps at most aggregationBuckets). Followers may call it too. */
  addBucket(bucket: ThroughputBucket): void;
  /** One leader calculation over the buckets held. */
  calculate(): CalculationResult;
}
