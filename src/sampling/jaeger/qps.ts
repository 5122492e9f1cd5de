import type { WeightVectorCache } from './weights';

export function bucketQps(count: number, intervalSeconds: number): number {
  return count / intervalSeconds;
}

/** Recency-weighted mean of `values` (newest first); 0 when there are none. */
export function weightedQps(values: readonly number[], weights: WeightVectorCache): number {
  if (values.length === 0) return 0;
  const w = weights.get(values.length);
  let qps = 0;
  for (let i = 0; i < values.length; i++) qps += values[i] * w[i];
  return qps;
}
