import type { ProbabilitiesSnapshot } from '../store/store';
import { own } from '../sampling/dictionary';

/**
 * The services whose served answer new probabilities may change: those whose probabilities
 * differ, or appeared or went away, and, for services the operation cap trims, whose QPS (which
 * picks the operations kept) differs. The rest keep their encoded answer. A service per step:
 * the rebuild paces a large fleet's diff with its slicer.
 */
export function* changedServiceSteps(
  previous: ProbabilitiesSnapshot | null,
  next: ProbabilitiesSnapshot,
  maxOperations: number,
): Generator<void, Set<string>> {
  const before = previous?.probabilities ?? {};
  const after = next.probabilities;
  const changed = new Set<string>();
  for (const service of Object.keys(after)) {
    const operations = after[service];
    const old = own(before, service);
    // The same object: a store hands a shard it did not fetch again as it gave it last time.
    if (!old || (old !== operations && !sameValues(old, operations))) changed.add(service);
    // Only a service saved over the cap has QPS to compare: counting every other's names was a
    // million keys listed per version at a million operations, for nothing.
    else if (hasQps(previous, next, service) && Object.keys(operations).length > maxOperations && !sameValues(own(previous?.qps, service) ?? {}, own(next.qps, service) ?? {})) {
      changed.add(service);
    }
    yield;
  }
  for (const service of Object.keys(before)) if (!Object.hasOwn(after, service)) changed.add(service);
  return changed;
}

function hasQps(previous: ProbabilitiesSnapshot | null, next: ProbabilitiesSnapshot, service: string): boolean {
  return own(previous?.qps, service) !== undefined || own(next.qps, service) !== undefined;
}

function sameValues(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  // Same names in the same order: the order is what the served list repeats.
  const other = Object.keys(b);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== other[i] || a[keys[i]] !== b[keys[i]]) return false;
  }
  return true;
}
