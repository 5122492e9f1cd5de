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
): ComposedStrategies {
  const services: ComposedStrategies['services'] = new Map();
  if (file?.defaultStrategy) {
    for (const [service, strategy] of file.services) services.set(service, { strategy, source: 'file' });
    return { services, fallback: { strategy: file.defaultStrategy, source: 'file' } };
  }
  for (const [service, operations] of Object.entries(probabilities?.probabilities ?? {})) {
    services.set(service, {
      strategy: adaptiveStrategy(defaults, new Map(Object.entries(operations))),
      source: 'adaptive',
    });
  }
  for (const [service, strategy] of file?.services ?? []) services.set(service, { strategy, source: 'file' });
  return { services, fallback: { strategy: adaptiveStrategy(defaults, undefined), source: 'default' } };
}
