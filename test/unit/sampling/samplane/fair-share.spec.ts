import { fairShares } from '../../../../src/sampling/samplane/fair-share';

// Water-filling, numbers in, numbers out: one level L; each claim gets clamp(L, floor, demand).
describe('fairShares', () => {
  it('fills the small demand and shares the rest equally', () => {
    const shares = fairShares(6, [
      { demand: 0.5, floor: 0 },
      { demand: 50, floor: 0 },
      { demand: 5000, floor: 0 },
    ]);
    expect(shares[0]).toBe(0.5);
    expect(shares[1]).toBeCloseTo(2.75, 12);
    expect(shares[2]).toBeCloseTo(2.75, 12);
  });

  it('cascades: a demand just above the first level still fits under the second', () => {
    // Equal share 10/4 = 2.5; 1 fits, then (10 − 1)/3 = 3; 2.9 fits, then (9 − 2.9)/2 = 3.05.
    const shares = fairShares(10, [
      { demand: 1, floor: 0 },
      { demand: 2.9, floor: 0 },
      { demand: 100, floor: 0 },
      { demand: 100, floor: 0 },
    ]);
    expect(shares.map((s) => Number(s.toFixed(9)))).toEqual([1, 2.9, 3.05, 3.05]);
  });

  it('gives every demand when they all fit, leaving the rest of the budget unused', () => {
    expect(fairShares(10, [{ demand: 1, floor: 0 }, { demand: 2, floor: 0 }])).toEqual([1, 2]);
  });

  it('gives the floors when they alone exceed the budget', () => {
    expect(fairShares(0.02, [{ demand: 5, floor: 0.5 }, { demand: 5, floor: 0.5 }, { demand: 0.1, floor: 0.5 }])).toEqual([
      0.5, 0.5, 0.1,
    ]);
  });

  it('raises a claim to its floor and shares what remains above it', () => {
    const shares = fairShares(3, [{ demand: 10, floor: 2 }, { demand: 10, floor: 0 }, { demand: 10, floor: 0 }]);
    expect(shares[0]).toBe(2);
    expect(shares[1]).toBeCloseTo(0.5, 12);
    expect(shares[2]).toBeCloseTo(0.5, 12);
  });

  it('has nothing to share among no claims', () => {
    expect(fairShares(5, [])).toEqual([]);
  });
});
