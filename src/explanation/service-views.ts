import type { OperationInputs } from '../sampling/calculator';
import type { Policy } from '../sampling/policy';
import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import type { OperationTraffic, ProbabilitiesSnapshot } from '../store/store';

export interface ServiceSummary {
  service: string;
  source: StrategySource;
  operations: number;
  requestsPerSecond: number;
  sampledPerSecond: number;
}

export interface OperationExplanation {
  operation: string;
  /** The probability an SDK applies to it now. */
  probability: number | null;
  source: StrategySource;
  requestsPerSecond: number | null;
  sampledPerSecond: number | null;
  errorRate: number | null;
  /** Why it has this probability, in words. */
  reason: string;
  /** The inputs of the last calculation, when the engine computed it. */
  inputs: (OperationInputs & { qps: number }) | null;
}

export interface ServiceExplanation {
  service: string;
  source: StrategySource;
  strategy: SamplingStrategy;
  policy: { service: string; policy: Policy } | null;
  computedAt: string | null;
  snapshotVersion: number;
  operations: OperationExplanation[];
}

export interface ExplanationContext {
  service: string;
  strategy: SamplingStrategy;
  source: StrategySource;
  policy: { service: string; policy: Policy } | undefined;
  computed: ProbabilitiesSnapshot | null;
  deltaTolerance: number;
}

/**
 * Builds the "why" of every operation of one service from what this replica serves and the
 * inputs the leader recorded with its last calculation. Pure, so each wording is unit-tested.
 */
export function explainService(context: ExplanationContext): ServiceExplanation {
  const { service, strategy, computed } = context;
  const served = new Map<string, number>();
  for (const op of strategy.operationSampling?.perOperationStrategies ?? []) {
    served.set(op.operation, op.probabilisticSampling.samplingRate);
  }
  const traffic = computed?.traffic?.[service] ?? {};
  const names = new Set<string>([
    ...served.keys(),
    ...Object.keys(computed?.probabilities?.[service] ?? {}),
    ...Object.keys(traffic),
  ]);
  const operations = [...names].sort().map((operation) => explainOperation(context, operation, served, traffic[operation]));
  return {
    service,
    source: context.source,
    strategy,
    policy: context.policy ?? null,
    computedAt: computed ? new Date(computed.computedAt).toISOString() : null,
    snapshotVersion: computed?.version ?? 0,
    operations,
  };
}

function explainOperation(
  context: ExplanationContext,
  operation: string,
  served: Map<string, number>,
  traffic: OperationTraffic | undefined,
): OperationExplanation {
  const { strategy, computed, policy } = context;
  const fallback = strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate;
  const probability = served.get(operation) ?? fallback ?? null;
  const pinned = policy?.policy.operations?.find((op) => op.operation === operation && op.samplingRate !== undefined);
  const recorded = computed?.inputs?.[context.service]?.[operation];
  const qps = computed?.qps?.[context.service]?.[operation];
  const inputs = recorded && qps !== undefined ? { ...recorded, qps } : null;
  const base = {
    operation,
    probability,
    requestsPerSecond: traffic?.requestsPerSecond ?? null,
    sampledPerSecond: traffic?.sampledPerSecond ?? null,
    errorRate: traffic?.errorRate ?? null,
    inputs,
  };
  if (strategy.strategyType === 'RATE_LIMITING' && !served.has(operation)) {
    const limit = strategy.rateLimitingSampling?.maxTracesPerSecond ?? 0;
    return { ...base, probability: null, source: context.source, reason: `rate limited to ${limit} traces per second (${origin(context)})` };
  }
  if (pinned) {
    return { ...base, source: 'policy', reason: `pinned at ${pinned.samplingRate} by the policy for "${policy?.service}"` };
  }
  if (context.source === 'file') {
    return {
      ...base,
      source: 'file',
      reason: served.has(operation)
        ? 'set for this operation by the strategies file'
        : 'the strategies file’s rate for operations it does not list',
    };
  }
  if (context.source === 'policy' && policy?.policy.mode !== 'adaptive') {
    return { ...base, source: 'policy', reason: `the ${policy?.policy.mode} rate of the policy for "${policy?.service}"` };
  }
  if (!served.has(operation) || !inputs) {
    return {
      ...base,
      source: 'default',
      reason: served.has(operation)
        ? 'computed before the inputs were recorded; no explanation is available yet'
        : 'no computed probability yet: the default probability applies until its traffic is calculated',
    };
  }
  return { ...base, source: 'adaptive', reason: adaptiveReason(inputs, probability ?? 0, context.deltaTolerance, policy) };
}

function adaptiveReason(
  inputs: OperationInputs & { qps: number },
  probability: number,
  tolerance: number,
  policy: ExplanationContext['policy'],
): string {
  const measured = `${round(inputs.qps)} sampled traces/s against a target of ${round(inputs.target)}`;
  const bounded = policy && (policy.policy.minSamplingProbability !== undefined || policy.policy.maxSamplingProbability !== undefined);
  const bounds = bounded ? ` (within the bounds of the policy for "${policy.service}")` : '';
  if (!inputs.adaptive) {
    return `kept at ${probability}: its clients do not report the probability last served, so it is not adapted`;
  }
  if (inputs.withinTolerance) {
    return `kept at ${probability}: ${measured} is within ±${tolerance * 100}% of the target`;
  }
  if (inputs.qps === 0) return `raised from ${inputs.previous} to ${probability}: no sampled traces were seen${bounds}`;
  const direction = probability < inputs.previous ? 'lowered' : probability > inputs.previous ? 'raised' : 'kept';
  return `${direction} from ${inputs.previous} to ${probability}: ${measured}${bounds}`;
}

function origin(context: ExplanationContext): string {
  if (context.source === 'policy') return `policy for "${context.policy?.service}"`;
  return context.source === 'file' ? 'strategies file' : context.source;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function summarize(
  service: string,
  source: StrategySource,
  strategy: SamplingStrategy,
  computed: ProbabilitiesSnapshot | null,
): ServiceSummary {
  const traffic = Object.values(computed?.traffic?.[service] ?? {});
  const names = new Set([
    ...(strategy.operationSampling?.perOperationStrategies ?? []).map((op) => op.operation),
    ...Object.keys(computed?.traffic?.[service] ?? {}),
  ]);
  return {
    service,
    source,
    operations: names.size,
    requestsPerSecond: traffic.reduce((sum, t) => sum + t.requestsPerSecond, 0),
    sampledPerSecond: traffic.reduce((sum, t) => sum + t.sampledPerSecond, 0),
  };
}
