import { type ProbabilityCalculator, cappedCalculator } from '../../../../src/sampling/jaeger/capped-calculator';
import { isUsingAdaptiveSampling, nextProbability } from '../../../../src/sampling/jaeger/probability';
import type { OperationThroughput } from '../../../../src/sampling/throughput';

/**
 * Scenario: Jaeger TestCalculateProbability. Target 1, tolerance 0.2, initial 0.001, min 1e-5,
 * an uncapped `old × target / qps` calculator; svcA/GET was last given 0.5 and the newest
 * bucket shows svcA/GET reporting 0.500000.
 */
const rules = { targetSamplesPerSecond: 1, deltaTolerance: 0.2, minSamplingProbability: 0.00001 };
const initial = 0.001;
const plainCalculator: ProbabilityCalculator = (target, qps, old) => old * (target / qps);
const previous: Record<string, Record<string, number>> = { svcA: { GET: 0.5 } };
const newest: Record<string, Record<string, OperationThroughput>> = {
  svcA: { GET: { count: 0, probabilities: ['0.500000'] } },
};

function step(service: string, operation: string, qps: number): number {
  const old = previous[service]?.[operation] ?? initial;
  const adaptive = isUsingAdaptiveSampling(old, initial, newest[service]?.[operation], undefined);
  return nextProbability(old, qps, adaptive, rules, plainCalculator);
}

describe('one probability step', () => {
  it.each([
    ['svcA', 'GET', 2.0, 0.25, 'modifies an existing probability'],
    ['svcA', 'PUT', 2.0, 0.0005, 'modifies the default probability'],
    ['svcB', 'GET', 0.9, 0.001, 'keeps it within tolerance'],
    ['svcB', 'PUT', 0.000001, 1.0, 'clamps to 1'],
    ['svcB', 'DELETE', 1_000_000_000, 0.00001, 'clamps to the minimum'],
    ['svcB', 'DELETE', 0, 0.002, 'doubles at zero QPS'],
  ])('%s/%s at qps %p → %p (%s)', (service, operation, qps, expected) => {
    expect(step(service, operation, qps)).toBeCloseTo(expected, 12);
  });

  it('tolerance is strict: exactly at the edge the probability moves', () => {
    const edge = { ...rules, deltaTolerance: 0.5 };
    expect(nextProbability(0.1, 1.5, true, edge, plainCalculator)).toBeCloseTo(0.1 / 1.5, 15);
    expect(nextProbability(0.1, 1.4, true, edge, plainCalculator)).toBe(0.1);
  });

  it('doubles at zero QPS outside the calculator, so a cap below 1 does not limit it', () => {
    expect(nextProbability(0.1, 0, true, rules, cappedCalculator(0.5))).toBe(0.2);
    expect(nextProbability(0.1, 0.5, true, rules, cappedCalculator(0.5))).toBeCloseTo(0.15, 15);
  });

  it('keeps a probability it does not recompute as is, even below the minimum', () => {
    expect(nextProbability(1e-7, 5, false, rules, plainCalculator)).toBe(1e-7);
    expect(nextProbability(1e-7, 5, true, rules, plainCalculator)).toBe(0.00001);
  });
});
