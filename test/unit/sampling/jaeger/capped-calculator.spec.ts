import { cappedCalculator } from '../../../../src/sampling/jaeger/capped-calculator';

describe('cappedCalculator', () => {
  describe("cap 0.5 (Jaeger's TestPercentageIncreaseCappedCalculator)", () => {
    const calculate = cappedCalculator(0.5);
    it.each([
      [1, 2, 0.1, 0.05, 'a fall is taken whole'],
      [1, 0.5, 0.1, 0.15, 'a doubling is capped at +50%'],
      [1, 0.8, 0.1, 0.125, 'a rise under the cap is taken whole'],
    ])('target %p, qps %p, old %p → %p (%s)', (target, qps, old, expected) => {
      expect(calculate(target, qps, old)).toBeCloseTo(expected, 12);
    });
  });

  it('cap 1.0 (production): target 1, qps 0.25, old 0.001 → 0.002', () => {
    expect(cappedCalculator(1)(1, 0.25, 0.001)).toBe(0.002);
  });

  it('never caps a fall, however large', () => {
    expect(cappedCalculator(1)(1, 1000, 0.5)).toBe(0.0005);
  });

  it('takes the factor first and adds the capped rise, as Jaeger does, to the last bit', () => {
    const old = 0.1;
    // Jaeger: old × (target / qps); a capped rise is old + old × cap.
    expect(cappedCalculator(0.5)(3, 7, old)).toBe(old * (3 / 7));
    expect(cappedCalculator(0.7)(1, 0.1, old)).toBe(old + old * 0.7);
    expect(old + old * 0.7).not.toBe(old * 1.7);
  });
});
