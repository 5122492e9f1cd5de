import type { AdaptiveOptions } from '../adaptive-options';
import type { ErrorBoostRule } from './error-boost';
import type { RateEstimatorTuning } from './rate-estimator';

/** The engine options `samplane` reads; the same knobs, with the same meaning, as `jaeger`'s. */
export type SamplaneCalculatorOptions = Pick<
  AdaptiveOptions,
  | 'targetSamplesPerSecond'
  | 'deltaTolerance'
  | 'aggregationBuckets'
  | 'initialSamplingProbability'
  | 'minSamplingProbability'
  | 'minSamplesPerSecond'
  | 'maxOperations'
> & {
  /** Absent: `ERROR_BOOST_DEFAULTS`. */
  errorBoost?: ErrorBoostRule;
};

/** The error boost when nothing configures it: on, 1 errored trace/s, at most 0.1, 5 minutes. */
export const ERROR_BOOST_DEFAULTS: ErrorBoostRule = {
  enabled: true,
  targetErrorSamplesPerSecond: 1,
  maxSamplingProbability: 0.1,
  cooldownSeconds: 300,
};

/** Internals of the controller; the defaults are what the simulator's standard set was tuned on. */
export interface SamplaneTuning extends RateEstimatorTuning {
  /**
   * Fraction of `deltaTolerance` inside which the previous probability is kept. Half the
   * tolerance leaves room for estimation noise before the band is left, and keeps a constant
   * load on one probability.
   */
  holdBand: number;
  /**
   * Buckets without requests after which an operation is forgotten. Until then its last
   * probability is served, so a batch job that pauses comes back at its old rate, not at 1.
   */
  idleRetentionBuckets: number;
}

export const SAMPLANE_TUNING: SamplaneTuning = {
  smoothing: 0.3,
  stepThreshold: 4,
  holdBand: 0.5,
  idleRetentionBuckets: 60,
};
