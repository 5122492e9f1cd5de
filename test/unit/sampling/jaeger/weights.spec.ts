import { WeightVectorCache } from '../../../../src/sampling/jaeger/weights';

describe('WeightVectorCache (scenario: Jaeger TestGetWeights)', () => {
  const cache = new WeightVectorCache();

  it('gives a single value all the weight', () => {
    expect(cache.get(1)).toEqual([1]);
  });

  it('L = 3: 81/98, 16/98, 1/98, newest first', () => {
    expect(cache.get(3)).toEqual([81 / 98, 16 / 98, 1 / 98]);
    expect(cache.get(3)[0]).toBeCloseTo(0.8265306122448979, 15);
  });

  it('L = 5: newest ≈ 0.6384, oldest ≈ 0.0010, summing to 1', () => {
    const weights = cache.get(5);
    expect(weights).toHaveLength(5);
    expect(weights[0]).toBeCloseTo(0.6384, 3);
    expect(weights[4]).toBeCloseTo(0.001, 3);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('computes each length once', () => {
    expect(cache.get(4)).toBe(cache.get(4));
  });
});
