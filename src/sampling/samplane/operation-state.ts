import type { ErrorTracker } from './error-boost';
import type { EstimateKind, RateEstimator } from './rate-estimator';

/** What the calculator knows of one operation between calculations. */
export interface OperationState {
  estimator: RateEstimator;
  errors: ErrorTracker;
  /** Buckets in a row without requests. */
  idleBuckets: number;
  /** How the newest bucket was folded in; `idle` when it had no requests. */
  estimate: EstimateKind | 'idle';
  /** The fold that last saw requests (the calculator's count of folded buckets). */
  lastFold: number;
  /** Length of the last bucket with requests, in seconds. */
  lastSeconds: number;
  /** Whether the previous calculation saw it active. */
  wasActive: boolean;
  /** The probability the previous calculation raised it from, if it raised it. */
  raisedFrom: number | undefined;
}

/**
 * The operations beyond the `max` busiest, to be dropped. Busiest means active first (an idle
 * operation's rate is stale), then by estimated request rate; names break ties, so the choice
 * does not depend on the order operations were first seen.
 */
export function operationsOverCap(states: ReadonlyMap<string, OperationState>, max: number): string[] {
  if (states.size <= max) return [];
  const ranked = [...states].sort(
    ([a, x], [b, y]) =>
      Number(x.estimate === 'idle') - Number(y.estimate === 'idle') ||
      (y.estimator.rate ?? 0) - (x.estimator.rate ?? 0) ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
  return ranked.slice(max).map(([name]) => name);
}
