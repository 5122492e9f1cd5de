import { type AdaptiveServingDefaults, adaptiveStrategy } from '../sampling/adaptive-strategy';
import { DEFAULT_POLICY_SERVICE, type Policy } from '../sampling/policy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import type { ProbabilitiesSnapshot } from '../store/store';
import { policyStrategy } from './policy-strategy';
import type { ComposedStrategies } from './serving-snapshot';

type Served = { strategy: SamplingStrategy; source: StrategySource };

/**
 * Decides what every service is served, first match wins:
 * 1. the service's own operator policy;
 * 2. the strategies file's entry for the service;
 * 3. the default policy `*`;
 * 4. the file's `default_strategy` (which, as in Jaeger, replaces adaptive sampling for every
 *    service the file does not name);
 * 5. computed adaptive probabilities;
 * 6. the adaptive default.
 * A runtime policy outranks the file at the same level of specificity: operators change
 * policies to override what was deployed, never the other way round.
 */
export function composeStrategies(
  file: StaticStrategies | undefined,
  probabilities: ProbabilitiesSnapshot | null,
  defaults: AdaptiveServingDefaults,
  maxOperations = Number.POSITIVE_INFINITY,
  policies: ReadonlyMap<string, Policy> = new Map(),
): ComposedStrategies {
  let overCap = 0;
  const computed = new Map<string, Map<string, number>>();
  for (const [service, operations] of Object.entries(probabilities?.probabilities ?? {})) {
    const served = capOperations(operations, probabilities?.qps?.[service], maxOperations);
    overCap += Object.keys(operations).length - served.size;
    computed.set(service, served);
  }
  const starPolicy = policies.get(DEFAULT_POLICY_SERVICE);

  const serve = (service: string): Served => {
    const own = policies.get(service);
    if (own) return { strategy: policyStrategy(own, computed.get(service), defaults), source: 'policy' };
    const fromFile = file?.services.get(service);
    if (fromFile) return { strategy: fromFile, source: 'file' };
    return fallbackFor(computed.get(service));
  };
  const fallbackFor = (ops: Map<string, number> | undefined): Served => {
    if (starPolicy) return { strategy: policyStrategy(starPolicy, ops, defaults), source: 'policy' };
    if (file?.defaultStrategy) return { strategy: file.defaultStrategy, source: 'file' };
    if (ops) return { strategy: adaptiveStrategy(defaults, ops), source: 'adaptive' };
    return { strategy: adaptiveStrategy(defaults, undefined), source: 'default' };
  };

  const names = new Set<string>([...computed.keys(), ...(file?.services.keys() ?? []), ...policies.keys()]);
  names.delete(DEFAULT_POLICY_SERVICE);
  const services: ComposedStrategies['services'] = new Map();
  for (const service of names) services.set(service, serve(service));
  return { services, fallback: fallbackFor(undefined), overCap };
}

/**
 * At most `max` operations per service, as jaeger-client keeps at most 2000: the busiest keep
 * their own rate, the quietest fall back to the default probability.
 */
function capOperations(
  operations: Record<string, number>,
  qps: Record<string, number> | undefined,
  max: number,
): Map<string, number> {
  const names = Object.keys(operations);
  if (names.length <= max) return new Map(Object.entries(operations));
  names.sort((a, b) => (qps?.[b] ?? 0) - (qps?.[a] ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  return new Map(names.slice(0, max).map((name) => [name, operations[name]]));
}
