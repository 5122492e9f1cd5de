/**
 * An operator's policy for one service, or for every service (`*`). Pure data: validation
 * happens at the admin API, composition in serving, and the adaptive fields steer the engine.
 */
export type PolicyMode = 'adaptive' | 'probabilistic' | 'ratelimiting';

export interface OperationPolicy {
  operation: string;
  /** Pins the operation's rate, whatever the mode. */
  samplingRate?: number;
  /** Adaptive mode: this operation's own target instead of the service's. */
  targetSamplesPerSecond?: number;
  /** Adaptive mode: this operation's error boost instead of the service's. */
  errorBoost?: ErrorBoostPolicy;
}

/**
 * `samplane`: how an operation whose error rate rises above its baseline is boosted; `false`
 * turns the boost off. Absent fields take the engine's `ADAPTIVE_ERROR_*` defaults.
 */
export type ErrorBoostPolicy =
  | false
  | {
      targetErrorSamplesPerSecond?: number;
      maxSamplingProbability?: number;
      /** A duration such as `10m`. */
      cooldown?: string;
    };

export interface Policy {
  mode: PolicyMode;
  /** probabilistic: the service's rate. */
  samplingRate?: number;
  /** ratelimiting: traces per second (int32). */
  maxTracesPerSecond?: number;
  /** adaptive: sampled traces per second per operation. */
  targetSamplesPerSecond?: number;
  /**
   * adaptive: the whole service's budget in sampled traces per second, shared max-min fairly
   * among its operations (the `samplane` algorithm; `jaeger` has per-operation targets only).
   */
  budgetTracesPerSecond?: number;
  /** adaptive: bounds on computed probabilities. */
  minSamplingProbability?: number;
  maxSamplingProbability?: number;
  /** Lower bound served to SDKs (traces per second per operation). */
  lowerBoundTracesPerSecond?: number;
  errorBoost?: ErrorBoostPolicy;
  operations?: OperationPolicy[];
  description?: string;
}

/** The policy for every service without one of its own. */
export const DEFAULT_POLICY_SERVICE = '*';
