import type { Policy } from '../sampling/policy';
import { DEFAULT_RULE_SERVICE, SERVICE_RULE_OPERATION } from '../sampling/xray/xray-population';
import type { DefaultRuleInput, XRayServiceInput } from '../sampling/xray/xray-rules';
import type { ServingEntry, ServingSnapshot } from '../serving/serving-snapshot';
import type { ProbabilitiesSnapshot } from '../store/store';
import { own } from '../sampling/dictionary';

/**
 * Reads what Jaeger clients are served as the X-Ray rules builder's inputs, so both kinds of
 * client follow one decision: a rate-limited strategy stays rate limited, a pinned rate (a
 * file entry, a probabilistic policy, a pinned operation) stays pinned, and everything else is
 * adaptive at the probability served for the rule's fleet.
 */
export function xrayInputs(
  snapshot: ServingSnapshot,
  policies: ReadonlyMap<string, Policy>,
  computed: ProbabilitiesSnapshot | null,
  defaultTarget: number,
): { services: XRayServiceInput[]; fallback: DefaultRuleInput } {
  const star = policies.get(DEFAULT_RULE_SERVICE);
  const services: XRayServiceInput[] = [];
  for (const [service, entry] of snapshot.services()) {
    const policy = entry.source === 'policy' ? (policies.get(service) ?? star) : undefined;
    // The fleet's requests split a rate-limited rule; an operation's rule is never rate limited.
    const base = population(entry, policy, defaultTarget, fleetOf(computed, service));
    const pinnedOps = new Set(
      (policy?.operations ?? []).filter((op) => op.samplingRate !== undefined).map((op) => op.operation),
    );
    const allPinned = base.mode === 'fixed';
    const operations = (entry.strategy.operationSampling?.perOperationStrategies ?? [])
      .filter((op) => op.operation !== SERVICE_RULE_OPERATION)
      .map((op) => ({
        operation: op.operation,
        mode: allPinned || pinnedOps.has(op.operation) ? ('fixed' as const) : ('adaptive' as const),
        rate: op.probabilisticSampling.samplingRate,
      }));
    services.push({ service, ...base, operations });
  }
  const fallbackEntry = snapshot.fallback;
  const fallback = population(
    fallbackEntry,
    fallbackEntry.source === 'policy' ? star : undefined,
    defaultTarget,
    fleetOf(computed, DEFAULT_RULE_SERVICE),
  );
  // The Default fleet is counted under `*`, which Jaeger answers never list: its computed rate
  // is read here rather than from the fallback strategy.
  const computedDefault = computed?.probabilities[DEFAULT_RULE_SERVICE]?.[SERVICE_RULE_OPERATION];
  if (fallback.mode === 'adaptive' && computedDefault !== undefined) fallback.rate = clamp(computedDefault, star);
  return { services, fallback };
}

function population(
  entry: ServingEntry,
  policy: Policy | undefined,
  defaultTarget: number,
  fleetRequestsPerSecond: number | undefined,
): DefaultRuleInput {
  const strategy = entry.strategy;
  if (strategy.strategyType === 'RATE_LIMITING') {
    const max = strategy.rateLimitingSampling?.maxTracesPerSecond ?? 0;
    const limit = { maxTracesPerSecond: max, targetTracesPerSecond: max };
    return { mode: 'ratelimiting', rate: 0, ...limit, ...fleet(fleetRequestsPerSecond) };
  }
  const rate = entry.rates.rateFor(SERVICE_RULE_OPERATION) ?? 0;
  const fixed = entry.source === 'file' || (policy !== undefined && policy.mode !== 'adaptive');
  return {
    mode: fixed ? 'fixed' : 'adaptive',
    rate,
    targetTracesPerSecond: fixed ? 0 : (policy?.targetSamplesPerSecond ?? defaultTarget),
    ...fleet(fleetRequestsPerSecond),
  };
}

/**
 * Requests per second of a service rule's fleet: as the calculation counted them, or, from a
 * snapshot written before it did (stored format 3) or naming no fleet, the QPS served then.
 */
function fleetOf(computed: ProbabilitiesSnapshot | null, service: string): number | undefined {
  if (computed?.fleetRequests) return own(computed.fleetRequests, service);
  const qps = computed?.qps && own(computed.qps, service);
  return qps && own(qps, SERVICE_RULE_OPERATION);
}

function clamp(p: number, policy: Policy | undefined): number {
  if (policy?.mode !== 'adaptive') return p;
  return Math.min(policy.maxSamplingProbability ?? 1, Math.max(policy.minSamplingProbability ?? 0, p));
}

function fleet(requestsPerSecond: number | undefined): { fleetRequestsPerSecond?: number } {
  return requestsPerSecond === undefined ? {} : { fleetRequestsPerSecond: requestsPerSecond };
}
