import type { TimeSlicer } from '../common/time-slicer';
import type { Probabilities } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
import type { Term } from './leader-term';

/**
 * Adds the inherited probabilities of operations this term has no buckets for yet, and seeds
 * the calculator with the result, so such an operation continues from its inherited value
 * when its traffic shows up rather than from the initial one. What the term has calculated
 * is no longer inherited: once nothing is left, the copy of the last snapshot goes (a large
 * fleet's new leader held it for a whole window, ~115 MiB at a million operations).
 */
export async function keepInherited(term: Term, computed: Probabilities, windowBuckets: number, slicer: TimeSlicer): Promise<Probabilities> {
  if (!term.inherited) return computed;
  if (term.buckets >= windowBuckets) {
    term.inherited = undefined;
    return computed;
  }
  let added = false;
  // A service is copied only where something is added to it: a large fleet's first
  // calculations would otherwise copy a million probabilities each.
  const merged = Object.assign(dictionary<Record<string, number>>(), computed);
  // A new map of what is still inherited: the old one may be the calculator's too.
  const left = dictionary<Record<string, number>>();
  let leftServices = 0;
  for (const service of Object.keys(term.inherited)) {
    const inherited = term.inherited[service];
    const own = merged[service];
    let target: Record<string, number> | undefined;
    // What the calculation did not compute: still inherited (a service it has none of, whole).
    let missing: Record<string, number> | undefined;
    for (const operation of Object.keys(inherited)) {
      if (own !== undefined && operation in own) continue;
      target ??= Object.assign(dictionary<number>(), own);
      target[operation] = inherited[operation];
      if (own !== undefined) (missing ??= dictionary<number>())[operation] = inherited[operation];
      added = true;
    }
    if (target || own === undefined) {
      // A service inherited without operations is kept too, listed with none.
      merged[service] = target ?? dictionary<number>();
      left[service] = missing ?? inherited;
      leftServices++;
    }
    if (slicer.due()) await slicer.yield();
  }
  term.inherited = leftServices > 0 ? left : undefined;
  if (added) term.calculator.restore(merged);
  return merged;
}
