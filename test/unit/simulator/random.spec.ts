import { Random, logFactorial } from '../../../src/simulator/random';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  const values = Array.from({ length: n }, draw);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  return { mean, variance: values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) };
}

const random = new Random(20240601);

describe('Random', () => {
  it('repeats its sequence for a seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it.each([0.3, 4, 29, 31, 1000, 250_000])('draws Poisson counts of mean %p with matching mean and variance', (mean) => {
    const { mean: m, variance } = moments(() => random.poisson(mean), 20_000);
    expect(m / mean).toBeCloseTo(1, 1);
    expect(variance / mean).toBeGreaterThan(0.9);
    expect(variance / mean).toBeLessThan(1.1);
  });

  it.each([
    [20, 0.3],
    [1000, 0.01],
    [100_000, 0.0001],
    [100_000, 0.3],
    [50, 0.9],
  ])('draws binomial(%p, %p) with mean n·p', (n, p) => {
    const { mean } = moments(() => random.binomial(n, p), 20_000);
    expect(mean / (n * p)).toBeCloseTo(1, 1);
  });

  it('samples nothing at p = 0 and everything at p = 1', () => {
    expect(random.binomial(1000, 0)).toBe(0);
    expect(random.binomial(1000, 1)).toBe(1000);
    expect(random.poisson(0)).toBe(0);
  });

  it('knows ln(k!) from its table and from Stirling’s series', () => {
    expect(logFactorial(10)).toBeCloseTo(Math.log(3628800), 10);
    expect(logFactorial(100)).toBeCloseTo(363.73937555556347, 9);
  });
});
