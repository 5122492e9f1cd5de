import type { ErrorBoostRule } from './samplane/error-boost';

/**
 * The adaptive engine's knobs. Field names follow Jaeger's options so that a user migrating
 * from Jaeger recognises every one; the README's `ADAPTIVE_*` settings give their meaning and defaults.
 */
export interface AdaptiveOptions {
  algorithm: 'jaeger' | 'samplane';
  /** Sampled traces per second each operation should yield. */
  targetSamplesPerSecond: number;
  /** Relative distance from the target inside which a probability is left alone. */
  deltaTolerance: number;
  /** How many throughput buckets feed one QPS estimate. */
  calculationBuckets: number;
  calculationIntervalMs: number;
  /** How many past buckets are kept in memory. */
  aggregationBuckets: number;
  /** How far behind "now" a calculation reads, so that every replica has flushed. */
  delayMs: number;
  initialSamplingProbability: number;
  minSamplingProbability: number;
  /** Lower bound served to SDKs: traces per second per operation sampled whatever the rate. */
  minSamplesPerSecond: number;
  /** Largest relative increase of a probability in one calculation (1.0 = at most doubling). */
  increaseCap: number;
  leaderLeaseMs: number;
  maxOperations: number;
  /** `samplane`: raise an operation's probability while its error rate is above its baseline. */
  errorBoost?: ErrorBoostRule;
}

export const JAEGER_DEFAULTS = {
  targetSamplesPerSecond: 1,
  deltaTolerance: 0.3,
  calculationBuckets: 1,
  aggregationBuckets: 10,
  initialSamplingProbability: 0.001,
  minSamplingProbability: 0.00001,
  minSamplesPerSecond: 1 / 60,
  increaseCap: 1.0,
} as const;
