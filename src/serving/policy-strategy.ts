import type { AdaptiveServingDefaults } from '../sampling/adaptive-strategy';
import type { Policy } from '../sampling/policy';
import type { OperationStrategy, SamplingStrategy } from '../sampling/strategy';

/**
 * The strategy a policy serves. Pinned operation rates win in every mode. In adaptive mode the
 * computed probabilities are served within the policy's bounds (the engine applies them too,
 * but a policy change must show before the next calculation).
 */
export function policyStrategy(
  policy: Policy,
  computed: ReadonlyMap<string, number> | undefined,
  defaults: AdaptiveServingDefaults,
): SamplingStrategy {
  const pinned = new Map<string, number>();
  for (const op of policy.operations ?? []) {
    if (op.samplingRate !== undefined) pinned.set(op.operation, op.samplingRate);
  }
  switch (policy.mode) {
    case 'probabilistic': {
      const rate = policy.samplingRate ?? defaults.initialSamplingProbability;
      const strategy: SamplingStrategy = { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: rate } };
      // Pinned rates and a lower bound can only be served as per-operation strategies.
      if (pinned.size === 0 && policy.lowerBoundTracesPerSecond === undefined) return strategy;
      // jaeger-client keeps a sampler for every operation it has seen and updates only those an
      // answer lists: an operation it sampled at its adaptive rate would keep that rate under
      // the policy. Listing the operations the engine knows at the policy's rate moves them too.
      const rates = new Map<string, number>();
      for (const operation of computed?.keys() ?? []) rates.set(operation, rate);
      for (const [operation, p] of pinned) rates.set(operation, p);
      return { ...strategy, operationSampling: operations(rate, policy.lowerBoundTracesPerSecond ?? 0, rates) };
    }
    case 'ratelimiting': {
      const strategy: SamplingStrategy = {
        strategyType: 'RATE_LIMITING',
        rateLimitingSampling: { maxTracesPerSecond: policy.maxTracesPerSecond ?? 0 },
      };
      if (pinned.size === 0) return strategy;
      // As for a rate-limited service with operation strategies in a Jaeger file.
      const fallback = defaults.initialSamplingProbability;
      return { ...strategy, operationSampling: operations(fallback, policy.lowerBoundTracesPerSecond ?? 0, pinned) };
    }
    case 'adaptive': {
      const clamp = (p: number): number =>
        Math.min(policy.maxSamplingProbability ?? 1, Math.max(policy.minSamplingProbability ?? 0, p));
      const rates = new Map<string, number>();
      for (const [operation, p] of computed ?? []) rates.set(operation, clamp(p));
      for (const [operation, p] of pinned) rates.set(operation, p);
      const fallback = clamp(defaults.initialSamplingProbability);
      return {
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: fallback },
        operationSampling: operations(fallback, policy.lowerBoundTracesPerSecond ?? defaults.minSamplesPerSecond, rates),
      };
    }
  }
}

function operations(defaultProbability: number, lowerBound: number, rates: ReadonlyMap<string, number>) {
  const perOperationStrategies: OperationStrategy[] = [];
  for (const [operation, samplingRate] of rates) perOperationStrategies.push({ operation, probabilisticSampling: { samplingRate } });
  return {
    defaultSamplingProbability: defaultProbability,
    defaultLowerBoundTracesPerSecond: lowerBound,
    perOperationStrategies,
    defaultUpperBoundTracesPerSecond: 0,
  };
}
