/** Jaeger's `ProbabilityCalculator`: the next probability from the target and measured QPS. */
export type ProbabilityCalculator = (targetQps: number, qps: number, oldProbability: number) => number;

/**
 * Jaeger's percentage-increase-capped calculator: `old × (target / qps)`, but a rise is limited
 * to `increaseCap` of the old value per calculation (1.0 = at most doubling), because
 * overshooting floods storage while undershooting only costs a few intervals. Falls are never
 * capped: oversampling is cut at once.
 */
export function cappedCalculator(increaseCap: number): ProbabilityCalculator {
  return (targetQps, qps, oldProbability) => {
    // Same operation order as Jaeger (factor first; `old + old × cap`) for bit-identical results.
    const factor = targetQps / qps;
    const next = oldProbability * factor;
    if (factor > 1 && (next - oldProbability) / oldProbability > increaseCap) {
      return oldProbability + oldProbability * increaseCap;
    }
    return next;
  };
}
