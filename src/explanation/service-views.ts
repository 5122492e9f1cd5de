import type { OperationInputs } from '../sampling/calculator';
import type { Policy } from '../sampling/policy';
import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import { own } from '../sampling/dictionary';
import type { OperationTraffic, ProbabilitiesSnapshot } from '../store/store';
import type { RecordedExplanation } from '../store/explanation-codec';

export interface ServiceSummary {
  service: string;
  source: StrategySource;
  operations: number;
  requestsPerSecond: number;
  sampledPerSecond: number;
  /** Errors per request over all its operations (0 without requests). */
  errorRate: number;
  /** Operations whose probability the error boost is raising now. */
  boostedOperations: string[];
}

export interface OperationExplanation {
  operation: string;
  /** The probability an SDK applies to it now. */
  probability: number | null;
  source: StrategySource;
  requestsPerSecond: number | null;
  sampledPerSecond: number | null;
  errorsPerSecond: number | null;
  errorRate: number | null;
  /** Whether the error boost raises its probability now. */
  boosted: boolean;
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
  /** The service's traffic and inputs as the leader recorded them (absent: none recorded). */
  recorded: RecordedExplanation | undefined;
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
  const traffic: Record<string, OperationTraffic> = context.recorded?.traffic ?? {};
  const names = new Set<string>([
    ...served.keys(),
    ...Object.keys(own(computed?.probabilities, service) ?? {}),
    ...Object.keys(traffic),
  ]);
  const operations = [...names].sort().map((operation) => explainOperation(context, operation, served, own(traffic, operation)));
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
  const recorded = own(context.recorded?.inputs, operation);
  // Recorded with the inputs; a snapshot written before they were serves it beside the probabilities.
  const qps = recorded?.qps ?? own(own(computed?.qps, context.service), operation);
  const inputs = recorded && qps !== undefined ? { ...recorded, qps } : null;
  // The engine calculates every operation it sees traffic for, but only an adaptive rate is
  // what it calculated: beside a pinned, file or default rate its inputs would explain a
  // probability nobody is served.
  const base = {
    operation,
    probability,
    requestsPerSecond: traffic?.requestsPerSecond ?? null,
    sampledPerSecond: traffic?.sampledPerSecond ?? null,
    errorsPerSecond: traffic?.errorsPerSecond ?? (traffic ? traffic.errorRate * traffic.requestsPerSecond : null),
    errorRate: traffic?.errorRate ?? null,
    boosted: false,
    inputs: null,
  };
  if (strategy.strategyType === 'RATE_LIMITING' && !served.has(operation)) {
    const limit = strategy.rateLimitingSampling?.maxTracesPerSecond ?? 0;
    return { ...base, probability: null, source: context.source, reason: `rate limited to ${limit} traces per second (${origin(context)})` };
  }
  if (pinned) {
    const reason = `pinned at ${pinned.samplingRate} by the policy for ${quoted(policy?.service)}`;
    return { ...base, source: 'policy', reason };
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
    const reason = `the ${policy?.policy.mode} rate of the policy for ${quoted(policy?.service)}`;
    return { ...base, source: 'policy', reason };
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
  const reason = adaptiveReason(inputs, probability ?? 0, context.deltaTolerance, policy);
  const boost = inputs.errors?.boost;
  if (!boost) return { ...base, source: 'adaptive', inputs, reason };
  const until = computed ? new Date(computed.computedAt + boost.remainingSeconds * 1000).toISOString() : 'the cooldown ends';
  return { ...base, source: 'adaptive', boosted: true, inputs, reason: `${boostReason(inputs, probability ?? 0, until)}; without it, ${reason}` };
}

function adaptiveReason(
  inputs: OperationInputs & { qps: number },
  probability: number,
  tolerance: number,
  policy: ExplanationContext['policy'],
): string {
  const measured = `${round(inputs.qps)} sampled traces/s against a target of ${round(inputs.target)}`;
  const bounded = policy && (policy.policy.minSamplingProbability !== undefined || policy.policy.maxSamplingProbability !== undefined);
  const bounds = bounded ? ` (within the bounds of the policy for ${quoted(policy.service)})` : '';
  if (inputs.estimate === 'idle') {
    return `kept at ${probability}: no requests were seen, and a quiet operation keeps its rate rather than drifting up`;
  }
  if (inputs.requestRate !== undefined) {
    // samplane: the probability follows from the request rate and the operation's target or share.
    const share =
      inputs.budget !== undefined
        ? `its fair share (${round(inputs.target)}/s) of the service budget of ${round(inputs.budget)}/s`
        : inputs.sharedTarget !== undefined
          ? `its part (${round(inputs.target)}/s) of one target of ${round(inputs.sharedTarget)}/s that the service's quiet operations share while it has more operations than ADAPTIVE_MAX_OPERATIONS`
          : `the target of ${round(inputs.target)}/s`;
    const verb = inputs.withinTolerance ? 'kept at' : `set from ${inputs.previous} to`;
    return `${verb} ${probability}: ${round(inputs.requestRate)} requests/s (${inputs.estimate ?? 'estimated'}) against ${share}${bounds}`;
  }
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

/** Why a boosted operation is above its normal rate, in words. */
function boostReason(inputs: OperationInputs, probability: number, until: string): string {
  const errors = inputs.errors;
  const boost = errors?.boost;
  if (!errors || !boost) return '';
  const state = boost.anomalous
    ? `its error rate is ${percent(errors.errorRate)} against a baseline of ${percent(errors.baselineErrorRate)} (${round(errors.errorsPerSecond)} errors/s)`
    : `its error rate was above its baseline of ${percent(errors.baselineErrorRate)} and the boost cools down`;
  const budget = inputs.budget !== undefined ? `, paid from the service budget of ${round(inputs.budget)}/s` : '';
  return `boosted to ${probability} for errors: ${state}, so it aims at ${round(boost.targetErrorSamplesPerSecond)} errored traces/s (at most ${boost.maxSamplingProbability})${budget} until ${until} unless the errors persist`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 10000) / 100}%`;
}

function origin(context: ExplanationContext): string {
  if (context.source === 'policy') return `policy for ${quoted(context.policy?.service)}`;
  return context.source === 'file' ? 'strategies file' : context.source;
}

/**
 * A service name in a reason, quoted as JSON: names hold quotes, newlines and anything else an
 * operator typed, and the reason must still say unambiguously which one it means.
 */
function quoted(service: string | undefined): string {
  return JSON.stringify(service ?? '');
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
  const summary = own(computed?.summaries, service);
  const served = strategy.operationSampling?.perOperationStrategies?.length ?? 0;
  const requestsPerSecond = summary?.requestsPerSecond ?? 0;
  return {
    service,
    source,
    // Served operations include pinned ones without traffic; the leader counted those with.
    operations: Math.max(served, summary?.operations ?? 0),
    requestsPerSecond,
    sampledPerSecond: summary?.sampledPerSecond ?? 0,
    errorRate: requestsPerSecond > 0 ? (summary?.errorsPerSecond ?? 0) / requestsPerSecond : 0,
    boostedOperations: source === 'adaptive' || source === 'policy' ? [...(summary?.boosted ?? [])] : [],
  };
}
