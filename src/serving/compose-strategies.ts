import { type AdaptiveServingDefaults, adaptiveStrategy } from '../sampling/adaptive-strategy';
import { DEFAULT_POLICY_SERVICE, type Policy } from '../sampling/policy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import type { ProbabilitiesSnapshot } from '../store/store';
import { policyStrategy } from './policy-strategy';
import type { ComposedStrategies } from './serving-snapshot';
import { own } from '../sampling/dictionary';

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
  const composer = new StrategyComposer({ file, probabilities, defaults, maxOperations, policies });
  let overCap = 0;
  const services: ComposedStrategies['services'] = new Map();
  for (const service of composer.names()) {
    const composed = composer.serve(service);
    overCap += composed.overCap;
    services.set(service, composed);
  }
  return { services, fallback: composer.fallback(), overCap };
}

export interface ComposerInputs {
  file: StaticStrategies | undefined;
  probabilities: ProbabilitiesSnapshot | null;
  defaults: AdaptiveServingDefaults;
  maxOperations: number;
  policies: ReadonlyMap<string, Policy>;
}

/** The same rules a service at a time, so a large fleet is recomposed only where it changed. */
export class StrategyComposer {
  private readonly star: Policy | undefined;

  constructor(private readonly inputs: ComposerInputs) {
    this.star = inputs.policies.get(DEFAULT_POLICY_SERVICE);
  }

  /** Every service with a strategy of its own. */
  names(): Set<string> {
    const { file, probabilities, policies } = this.inputs;
    const names = new Set<string>([
      ...Object.keys(probabilities?.probabilities ?? {}),
      ...(file?.services.keys() ?? []),
      ...policies.keys(),
    ]);
    names.delete(DEFAULT_POLICY_SERVICE);
    return names;
  }

  /** What `service` is served, and how many of its computed operations the cap left out. */
  serve(service: string): Served & { overCap: number } {
    const { file, probabilities, maxOperations, policies, defaults } = this.inputs;
    const operations = own(probabilities?.probabilities, service);
    const capped = operations && capOperations(operations, own(probabilities?.qps, service), maxOperations);
    const computed = capped?.kept;
    const overCap = capped?.overCap ?? 0;
    const policy = policies.get(service);
    if (policy) return { strategy: policyStrategy(policy, computed, defaults), source: 'policy', overCap };
    const fromFile = file?.services.get(service);
    if (fromFile) return { strategy: fromFile, source: 'file', overCap };
    return { ...this.fallbackFor(computed), overCap };
  }

  /** What a service without a strategy of its own is served. */
  fallback(): Served {
    return this.fallbackFor(undefined);
  }

  private fallbackFor(ops: Map<string, number> | undefined): Served {
    const { file, defaults } = this.inputs;
    if (this.star) return { strategy: policyStrategy(this.star, ops, defaults), source: 'policy' };
    if (file?.defaultStrategy) return { strategy: file.defaultStrategy, source: 'file' };
    if (ops) return { strategy: adaptiveStrategy(defaults, ops), source: 'adaptive' };
    return { strategy: adaptiveStrategy(defaults, undefined), source: 'default' };
  }
}

/**
 * At most `max` operations per service, as jaeger-client keeps at most 2000: the busiest keep
 * their own rate, the quietest fall back to the default probability.
 */
function capOperations(
  operations: Record<string, number>,
  qps: Record<string, number> | undefined,
  max: number,
): { kept: Map<string, number>; overCap: number } {
  const names = Object.keys(operations);
  const kept = new Map<string, number>();
  // Names and values straight into the map: a pair array per operation was a million of them per version.
  if (names.length <= max) {
    for (const name of names) kept.set(name, operations[name]);
    return { kept, overCap: 0 };
  }
  names.sort((a, b) => (own(qps, b) ?? 0) - (own(qps, a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names.slice(0, max)) kept.set(name, operations[name]);
  return { kept, overCap: names.length - max };
}
