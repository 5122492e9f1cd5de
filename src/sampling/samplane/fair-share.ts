/** One operation's claim on a service budget, in sampled traces per second. */
export interface Claim {
  /** The most it can use: its request rate times its highest allowed probability. */
  demand: number;
  /** What it gets whatever the budget (at most its demand). */
  floor: number;
}

const BISECTION_STEPS = 100;

/**
 * Max-min fair shares of `budget` (water-filling): one level L is found such that every claim
 * gets `clamp(L, floor, demand)` and the shares add up to the budget. Operations whose whole
 * demand fits under the level get their demand; the rest share what remains equally. When the
 * floors alone exceed the budget, every claim gets its floor (the floors win: an operation is
 * never starved because others are many); when the demands fit, every claim gets its demand.
 */
export function fairShares(budget: number, claims: readonly Claim[]): number[] {
  const floors = claims.map((c) => Math.min(c.floor, c.demand));
  const total = (level: number) => claims.reduce((sum, c, i) => sum + clampShare(level, floors[i], c.demand), 0);
  if (floors.reduce((sum, f) => sum + f, 0) >= budget) return floors;
  const highest = claims.reduce((max, c) => Math.max(max, c.demand), 0);
  if (total(highest) <= budget) return claims.map((c) => c.demand);
  // total() is continuous and non-decreasing in the level, so bisection converges on it.
  let low = 0;
  let high = highest;
  for (let i = 0; i < BISECTION_STEPS && high - low > high * Number.EPSILON; i++) {
    const mid = (low + high) / 2;
    if (total(mid) < budget) low = mid;
    else high = mid;
  }
  const level = (low + high) / 2;
  return claims.map((c, i) => clampShare(level, floors[i], c.demand));
}

function clampShare(level: number, floor: number, demand: number): number {
  return Math.min(demand, Math.max(floor, level));
}
