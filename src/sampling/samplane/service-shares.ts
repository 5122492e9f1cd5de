import { type Claim, fairShares } from './fair-share';
import type { OperationState } from './operation-state';
import type { ServiceRules } from './operation-rules';

/**
 * operation → its share of the service budget, for the active operations of a budgeted
 * service. The budget is the smallest any active operation reports, should they disagree.
 * Boosted operations are served first (their boost is their floor, scaled down together if
 * the boosts alone would exceed the budget), the rest share what remains max-min fairly.
 */
export function budgetShares(
  operations: Map<string, number>,
  state: OperationState,
  rules: ServiceRules,
  boosts: Map<string, number>,
  minSamplesPerSecond: number,
): Map<string, number> {
  if (!rules.budgeted) return new Map();
  const active: string[] = [];
  const rates: number[] = [];
  let budget: number | undefined;
  for (const [operation, row] of operations) {
    state.at(row);
    if (state.estimate === 'idle' || !(state.estimator.rate ?? 0)) continue;
    active.push(operation);
    rates.push(state.estimator.rate ?? 0);
    const own = rules.get(operation).budgetTracesPerSecond;
    if (own !== undefined) budget = budget === undefined ? own : Math.min(budget, own);
  }
  const shares = new Map<string, number>();
  if (budget === undefined || active.length === 0) return shares;
  const claims: Claim[] = active.map((operation, i) => {
    const rate = rates[i];
    const rule = rules.get(operation);
    return {
      demand: rate * rule.maxSamplingProbability,
      floor: Math.max(minSamplesPerSecond, rate * rule.minSamplingProbability),
    };
  });
  const boosted = active.map((operation, i) => Math.min(claims[i].demand, (boosts.get(operation) ?? 0) * rates[i]));
  const plain = claims.reduce((total, c, i) => total + (boosted[i] > 0 ? 0 : Math.min(c.floor, c.demand)), 0);
  const wanted = boosted.reduce((total, b) => total + b, 0);
  const scale = wanted > 0 ? Math.min(1, Math.max(0, budget - plain) / wanted) : 1;
  claims.forEach((claim, i) => {
    if (boosted[i] > 0) claim.floor = Math.max(claim.floor * scale, boosted[i] * scale);
  });
  fairShares(Math.max(0, budget), claims).forEach((share, i) => shares.set(active[i], share));
  return shares;
}

/**
 * operation → its part of one shared target, for the quiet operations of a service over the
 * cap. Names that leak IDs are each quiet (below their target, so each would be sampled
 * fully); held to one target between them, like one operation, a flood's volume stays that
 * of one operation however many names it has, while the busy operations keep their own
 * targets. The target shared is the smallest of theirs.
 */
export function floodShares(
  operations: Map<string, number>,
  state: OperationState,
  rules: ServiceRules,
): { shares: Map<string, number>; target: number } {
  const quiet: Array<[string, number]> = [];
  let rate = 0;
  let target = Infinity;
  for (const [operation, row] of operations) {
    state.at(row);
    const own = state.estimator.rate ?? 0;
    const rule = rules.get(operation);
    if (state.estimate === 'idle' || !(own > 0) || own * rule.maxSamplingProbability > rule.targetSamplesPerSecond) continue;
    quiet.push([operation, own]);
    rate += own;
    target = Math.min(target, rule.targetSamplesPerSecond);
  }
  const shares = new Map<string, number>();
  // One quiet operation alone is no flood of them: it keeps its own target.
  if (quiet.length < 2 || rate <= target) return { shares, target };
  for (const [operation, own] of quiet) shares.set(operation, (target * own) / rate);
  return { shares, target };
}

