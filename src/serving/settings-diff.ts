import { DEFAULT_POLICY_SERVICE, type Policy } from '../sampling/policy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { SamplingStrategy } from '../sampling/strategy';
import { encodeStrategyJson } from '../sampling/strategy-json';

/** What a settings change must recompose: every service, or those named. */
export type Changed = 'all' | Set<string>;

/**
 * The services a new set of operator policies serves differently: those whose policy came,
 * went or changed; every service where the default policy `*` did, as it is what every
 * service without a policy of its own falls back to. One policy edited on a fleet of a
 * million operations recomposes one service, not the fleet.
 */
export function policyChanges(before: ReadonlyMap<string, Policy>, after: ReadonlyMap<string, Policy>): Changed {
  if (!samePolicy(before.get(DEFAULT_POLICY_SERVICE), after.get(DEFAULT_POLICY_SERVICE))) return 'all';
  const changed = new Set<string>();
  for (const [service, policy] of after) if (!samePolicy(before.get(service), policy)) changed.add(service);
  for (const service of before.keys()) if (!after.has(service)) changed.add(service);
  return changed;
}

/**
 * The same for a new strategies file: the services whose entry came, went or changed; every
 * service where its `default_strategy` did, or the file itself came or went.
 */
export function fileChanges(before: StaticStrategies | undefined, after: StaticStrategies | undefined): Changed {
  if (!before || !after || !sameStrategy(before.defaultStrategy, after.defaultStrategy)) return before === after ? new Set() : 'all';
  const changed = new Set<string>();
  for (const [service, strategy] of after.services) if (!sameStrategy(before.services.get(service), strategy)) changed.add(service);
  for (const service of before.services.keys()) if (!after.services.has(service)) changed.add(service);
  return changed;
}

/** The policy sync hands an unchanged policy over as the same object; a copy is compared whole. */
function samePolicy(a: Policy | undefined, b: Policy | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
}

/** Strategies are the same where they are served as the same bytes. */
function sameStrategy(a: SamplingStrategy | undefined, b: SamplingStrategy | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && encodeStrategyJson(a) === encodeStrategyJson(b));
}
