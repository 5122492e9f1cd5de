import { floatEquals, isUsingAdaptiveSampling } from '../../../../src/sampling/jaeger/probability';
import type { OperationThroughput } from '../../../../src/sampling/throughput';

const seen = (...probabilities: string[]): OperationThroughput => ({ count: 1, probabilities });

describe('isUsingAdaptiveSampling (scenario: Jaeger TestUsingAdaptiveSampling)', () => {
  // Jaeger's test runs with an initial probability of 0 and a newest bucket where svc/op reported 0.010000.
  const initial = 0;
  const newest = seen('0.010000');

  it.each<[string, number, OperationThroughput | undefined, boolean]>([
    ['the served probability was reported', 0.01, newest, true],
    ['formatted to 6 decimals it was reported', 0.0099999384, newest, true],
    ['another service or operation: not in the newest bucket, no history', 0.01, undefined, false],
    ['a different probability was reported', 0.02, newest, false],
    ['formatted it differs in the 6th decimal', 0.0100009384, newest, false],
  ])('%s: old %p', (_why, old, throughput, expected) => {
    expect(isUsingAdaptiveSampling(old, initial, throughput, undefined)).toBe(expected);
  });

  it('assumes adaptive when the old probability is the initial one (within 1e-10)', () => {
    expect(isUsingAdaptiveSampling(0.001, 0.001, seen('0.500000'), undefined)).toBe(true);
    expect(isUsingAdaptiveSampling(0.001 + 5e-11, 0.001, undefined, undefined)).toBe(true);
  });

  it('looks at the previous round only when the newest bucket lacks the operation', () => {
    const previous = { probability: 0.004, usingAdaptive: true };
    expect(isUsingAdaptiveSampling(0.008, 0.001, undefined, previous)).toBe(true);
    expect(isUsingAdaptiveSampling(0.008, 0.001, seen('0.004000'), previous)).toBe(false);
  });

  it('previous round: adaptive then, with a probability other than the initial one then', () => {
    expect(isUsingAdaptiveSampling(0.008, 0.001, undefined, { probability: 0.004, usingAdaptive: false })).toBe(false);
    // The previous round started from the initial probability: its "adaptive" was only assumed.
    expect(isUsingAdaptiveSampling(0.002, 0.001, undefined, { probability: 0.001, usingAdaptive: true })).toBe(false);
  });
});

describe('floatEquals (scenario: Jaeger TestFloatEquals)', () => {
  it.each([
    [0.123456789123, 0.123456789123, true],
    [0.123456789123, 0.123456789111, true],
    [0.12345678, 0.123456781111, false],
  ])('%p vs %p → %p', (a, b, expected) => {
    expect(floatEquals(a, b)).toBe(expected);
  });
});
