import { type AdaptiveServingDefaults, adaptiveStrategy } from '../sampling/adaptive-strategy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { ProbabilitiesSnapshot } from '../store/store';
import type { ComposedStrategies } from './serving-snapshot';

/**
 * Decides what every service is served, by precedence: the strategies file's own entry for
 * the service, then the file's `default_strategy` (which, as in Jaeger, replaces adaptive
 * sampling for every other service), then computed adaptive probabilities, then the adaptive
 * default. Operator policies will slot in above the file.
 */
export function composeStrategies(
  file: StaticStrategies | undefined,
  probabilities: ProbabilitiesSnapshot | null,
  defaults: AdaptiveServingDefaults,
  maxOperations = Number.POSITIVE_INFINITY,
): ComposedStrategies {
  const services: ComposedStrategies['services'] = new Map();
  if (file?.defaultStrategy) {
    for (const [service, strategy] of file.services) services.set(service, { strategy, source: 'file' });
    return { services, fallback: { strategy: file.defaultStrategy, source: 'file' } };
  }
  let overCap = 0;
  for (const [service, operations] of Object.entries(probabilities?.probabilities ?? {})) {
    const served = capOperations(operations, probabilities?.qps?.[service], maxOperations);
    overCap += Object.keys(operations).length - served.size;
    services.set(service, { strategy: adaptiveStrategy(defaults, served), source: 'adaptive' });
  }
  for (const [service, strategy] of file?.services ?? []) services.set(service, { strategy, source: 'file' });
  return { services, fallback: { strategy: adaptiveStrategy(defaults, undefined), source: 'default' }, overCap };
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
