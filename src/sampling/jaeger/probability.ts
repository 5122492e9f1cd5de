import type { OperationThroughput } from '../throughput';
import type { ProbabilityCalculator } from './capped-calculator';
import { formatProbability } from './format-probability';

/** Jaeger compares probabilities and QPS to 1e-10, not exactly. */
export function floatEquals(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-10;
}

/** What the previous calculation concluded about an operation. */
export interface AdaptiveObservation {
  probability: number;
  usingAdaptive: boolean;
}

/**
 * Whether an operation's clients appear to follow the probability served to them. Changing the
 * probability of a client that ignores it (a static or rate-limited sampler) would walk it to
 * 1 or the floor for nothing, so Jaeger only adapts operations whose newest bucket shows the
 * served value. `newest` is the operation's throughput in the newest bucket; `previous` is what
 * the previous calculation concluded, looked at only when the newest bucket lacks the operation.
 */
export function isUsingAdaptiveSampling(
  oldProbability: number,
  initialProbability: number,
  newest: OperationThroughput | undefined,
  previous: AdaptiveObservation | undefined,
): boolean {
  // First sight of an operation: assume adaptive. If it is not, the next probability differs
  // from the initial one and the checks below catch it next time.
  if (floatEquals(oldProbability, initialProbability)) return true;
  if (newest) return newest.probabilities.includes(formatProbability(oldProbability));
  if (previous) return previous.usingAdaptive && !floatEquals(previous.probability, initialProbability);
  return false;
}

export interface ProbabilityRules {
  targetSamplesPerSecond: number;
  deltaTolerance: number;
  minSamplingProbability: number;
  /** An operator's ceiling (a policy); Jaeger's is always 1. */
  maxSamplingProbability?: number;
}

const MAX_SAMPLING_PROBABILITY = 1;

/** Relative distance from the target below which Jaeger leaves a probability alone. */
export function withinTolerance(qps: number, target: number, tolerance: number): boolean {
  return Math.abs(qps - target) / target < tolerance;
}

/**
 * One operation's next probability. A kept probability is returned as is, even outside
 * [min, 1]; only a recomputed one is clamped.
 */
export function nextProbability(
  oldProbability: number,
  qps: number,
  usingAdaptive: boolean,
  rules: ProbabilityRules,
  calculator: ProbabilityCalculator,
): number {
  if (withinTolerance(qps, rules.targetSamplesPerSecond, rules.deltaTolerance) || !usingAdaptive) {
    return oldProbability;
  }
  // No sampled spans at all: double, so that the operation gets at least some probabilistic
  // samples and a QPS to work from.
  const next = floatEquals(qps, 0)
    ? oldProbability * 2
    : calculator(rules.targetSamplesPerSecond, qps, oldProbability);
  const ceiling = rules.maxSamplingProbability ?? MAX_SAMPLING_PROBABILITY;
  return Math.min(ceiling, Math.max(rules.minSamplingProbability, next));
}
