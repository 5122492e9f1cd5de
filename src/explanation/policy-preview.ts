import type { AdaptiveOptions } from '../sampling/adaptive-options';
import type { AdaptiveServingDefaults } from '../sampling/adaptive-strategy';
import type { AdaptiveCalculator } from '../sampling/calculator';
import type { Policy } from '../sampling/policy';
import type { SamplingStrategy } from '../sampling/strategy';
import type { ThroughputBucket } from '../sampling/throughput';
import { policyStrategy } from '../serving/policy-strategy';
import { policySettings } from '../sampling/policy-settings';
import type { RecordedExplanation } from '../store/explanation-codec';
import type { OperationTraffic, ProbabilitiesSnapshot } from '../store/store';

export interface ServedRate {
  /** The probability served; null where a rate limit decides instead. */
  probability: number | null;
  /** Sampled traces/s this yields at the operation's recent request rate. */
  expectedSampledPerSecond: number;
}

export interface PreviewOperation {
  operation: string;
  requestsPerSecond: number;
  current: ServedRate;
  draft: ServedRate;
}

export interface PolicyPreview {
  service: string;
  /** Calculation buckets of recent traffic the draft was calculated on. */
  buckets: number;
  operations: PreviewOperation[];
  total: {
    requestsPerSecond: number;
    current: { expectedSampledPerSecond: number };
    draft: { expectedSampledPerSecond: number };
    /** The draft's service budget, when it sets one. */
    budgetTracesPerSecond?: number;
  };
}

export interface PreviewInputs {
  service: string;
  draft: Policy;
  /** What the service is served now. */
  current: SamplingStrategy;
  /** The snapshot served now: its probabilities and inputs seed the calculator, its traffic rates. */
  computed: ProbabilitiesSnapshot | null;
  /** The service's traffic and inputs as the last calculation recorded them. */
  recorded: RecordedExplanation | undefined;
  /** Recent buckets of the service's traffic, oldest first, as the engine builds them. */
  buckets: ThroughputBucket[];
  options: AdaptiveOptions;
  defaults: AdaptiveServingDefaults;
  createCalculator(options: AdaptiveOptions): AdaptiveCalculator;
}

/**
 * What the engine would serve one service under a draft policy: a calculator of the configured
 * algorithm, seeded like a new leader's with what is served now, calculates over the recent
 * buckets with the draft's settings, and serving's own policy rules turn the result into the
 * strategy. Nothing is stored.
 */
export function previewPolicy(inputs: PreviewInputs): PolicyPreview {
  const { service, draft, computed } = inputs;
  const calculator = inputs.createCalculator(inputs.options);
  calculator.useSettings((s, operation) => (s === service ? policySettings(draft, operation) : undefined));
  const seeded = computed?.probabilities[service];
  const recorded = inputs.recorded?.inputs;
  if (seeded) {
    calculator.restore(
      { [service]: { ...seeded } },
      recorded && { inputs: { [service]: recorded }, elapsedSeconds: 0 },
    );
  }
  for (const bucket of inputs.buckets) calculator.addBucket(bucket);
  const calculated = inputs.buckets.length > 0 ? (calculator.calculate().probabilities[service] ?? {}) : { ...seeded };
  const strategy = policyStrategy(draft, new Map(Object.entries(calculated)), inputs.defaults);

  const traffic: Record<string, OperationTraffic> = inputs.recorded?.traffic ?? {};
  const names = new Set([...Object.keys(traffic), ...Object.keys(calculated), ...listed(inputs.current), ...listed(strategy)]);
  const operations = [...names].sort().map((operation): PreviewOperation => {
    const requestsPerSecond = Object.hasOwn(traffic, operation) ? traffic[operation].requestsPerSecond : 0;
    return {
      operation,
      requestsPerSecond,
      current: served(inputs.current, operation, requestsPerSecond),
      draft: served(strategy, operation, requestsPerSecond),
    };
  });
  const requestsPerSecond = operations.reduce((sum, op) => sum + op.requestsPerSecond, 0);
  return {
    service,
    buckets: inputs.buckets.length,
    operations,
    total: {
      requestsPerSecond,
      current: { expectedSampledPerSecond: totalOf(inputs.current, operations, 'current') },
      draft: { expectedSampledPerSecond: totalOf(strategy, operations, 'draft') },
      ...(draft.budgetTracesPerSecond !== undefined && { budgetTracesPerSecond: draft.budgetTracesPerSecond }),
    },
  };
}

function listed(strategy: SamplingStrategy): string[] {
  return (strategy.operationSampling?.perOperationStrategies ?? []).map((op) => op.operation);
}

function served(strategy: SamplingStrategy, operation: string, requestsPerSecond: number): ServedRate {
  const own = strategy.operationSampling?.perOperationStrategies.find((op) => op.operation === operation);
  if (!own && strategy.strategyType === 'RATE_LIMITING') {
    return { probability: null, expectedSampledPerSecond: requestsPerSecond };
  }
  const probability =
    own?.probabilisticSampling.samplingRate ??
    strategy.operationSampling?.defaultSamplingProbability ??
    strategy.probabilisticSampling?.samplingRate ??
    0;
  return { probability, expectedSampledPerSecond: probability * requestsPerSecond };
}

/** A rate limit caps the service's sampled traces however many its operations would yield. */
function totalOf(strategy: SamplingStrategy, operations: PreviewOperation[], side: 'current' | 'draft'): number {
  const sum = operations.reduce((total, op) => total + op[side].expectedSampledPerSecond, 0);
  const limit = strategy.strategyType === 'RATE_LIMITING' ? strategy.rateLimitingSampling?.maxTracesPerSecond : undefined;
  return limit !== undefined && !strategy.operationSampling ? Math.min(limit, sum) : sum;
}
