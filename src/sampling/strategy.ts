/**
 * The Jaeger remote sampling strategy, shaped exactly like `jaeger.api_v2` so that the JSON
 * and protobuf encoders are straight walks over it.
 */
export type StrategyType = 'PROBABILISTIC' | 'RATE_LIMITING';

export interface ProbabilisticSampling {
  samplingRate: number;
}

export interface RateLimitingSampling {
  /** int32 on the wire. */
  maxTracesPerSecond: number;
}

export interface OperationStrategy {
  operation: string;
  probabilisticSampling: ProbabilisticSampling;
}

export interface PerOperationStrategies {
  defaultSamplingProbability: number;
  defaultLowerBoundTracesPerSecond: number;
  perOperationStrategies: OperationStrategy[];
  defaultUpperBoundTracesPerSecond: number;
}

export interface SamplingStrategy {
  strategyType: StrategyType;
  probabilisticSampling?: ProbabilisticSampling;
  rateLimitingSampling?: RateLimitingSampling;
  operationSampling?: PerOperationStrategies;
}

/** Where a served strategy came from; the admin API explains rates with it. */
export type StrategySource = 'policy' | 'file' | 'adaptive' | 'default';

export const INT32_MAX = 2_147_483_647;

export function probabilistic(samplingRate: number): SamplingStrategy {
  return { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate } };
}

export function rateLimiting(maxTracesPerSecond: number): SamplingStrategy {
  return { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond } };
}
