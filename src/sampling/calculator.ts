import type { ThroughputBucket } from './throughput';

/** service → operation → value. */
export type Probabilities = Record<string, Record<string, number>>;

/** Why an operation got its probability: the inputs of the calculation that produced it. */
export interface OperationInputs {
  /** The probability before this calculation. */
  previous: number;
  target: number;
  /** Whether its clients were seen applying the served probability. */
  adaptive: boolean;
  withinTolerance: boolean;
}

export interface CalculationResult {
  probabilities: Probabilities;
  /** The QPS each probability was computed from (sampled traces per second). */
  qps: Probabilities;
}

export type CalculationInputs = Record<string, Record<string, OperationInputs>>;

/** An operator's adjustments for one operation (from a policy); undefined fields keep the defaults. */
export interface OperationSettings {
  targetSamplesPerSecond?: number;
  minSamplingProbability?: number;
  maxSamplingProbability?: number;
}

export type OperationSettingsResolver = (service: string, operation: string) => OperationSettings | undefined;

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
  /** Per-operation targets and bounds from operator policies, read at every calculation. */
  useSettings(resolver: OperationSettingsResolver): void;
  /** The inputs behind each probability of the last calculation, for the explanation view. */
  lastInputs(): CalculationInputs;
}
