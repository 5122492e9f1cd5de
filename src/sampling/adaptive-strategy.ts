import type { SamplingStrategy } from './strategy';

export interface AdaptiveServingDefaults {
  initialSamplingProbability: number;
  minSamplesPerSecond: number;
}

/**
 * The adaptive strategy as Jaeger serves it, plus `probabilisticSampling` set to the default
 * probability: OTel JS and Java ignore an empty per-operation list and would otherwise keep
 * their initial sampler (JS) or sample nothing (Java).
 */
export function adaptiveStrategy(
  defaults: AdaptiveServingDefaults,
  probabilities: ReadonlyMap<string, number> | undefined,
): SamplingStrategy {
  const perOperationStrategies = [];
  if (probabilities) {
    for (const [operation, samplingRate] of probabilities) {
      perOperationStrategies.push({ operation, probabilisticSampling: { samplingRate } });
    }
  }
  return {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: defaults.initialSamplingProbability },
    operationSampling: {
      defaultSamplingProbability: defaults.initialSamplingProbability,
      defaultLowerBoundTracesPerSecond: defaults.minSamplesPerSecond,
      perOperationStrategies,
      defaultUpperBoundTracesPerSecond: 0,
    },
  };
}
