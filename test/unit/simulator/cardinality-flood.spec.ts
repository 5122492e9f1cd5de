import { summaryOf } from './standard-runs';

// From 15:00, two new operation names a second (each living five minutes) with a cap of 200
// operations: samplane keeps at most 200, says how many it dropped, and the real operations
// keep their targets.
const { jaeger, samplane } = summaryOf('cardinality-flood').algorithms;
const CAP = 200;

describe('simulator: cardinality flood', () => {
  it('samplane holds at most the cap and reports the rest as dropped', () => {
    expect(samplane.maxOperationsHeld).toBeLessThanOrEqual(CAP);
    expect(samplane.maxDropped).toBeGreaterThan(0);
  });

  it('samplane keeps the busy operation on target through the flood', () => {
    const [users] = samplane.series;
    expect(users.oscillations).toBe(0);
    expect(Math.abs((users.final ?? 0) - 1)).toBeLessThan(0.1);
  });

  it('the flood adds about one operation’s target, not one per name', () => {
    const total = samplane.series[1];
    // The two busy operations yield 1/s each. Over the cap the flood's quiet names share one
    // target (1/s) and the names beyond the cap get the default probability; until the cap is
    // reached (two calculations) each new name counted as an operation of its own.
    expect(total.meanRate).toBeLessThan(2 + 1 + 0.5);
  });

  it('samplane keeps the busy operation steadier than jaeger, which swings through the flood', () => {
    const [ours] = samplane.series;
    const [theirs] = jaeger.series;
    expect(ours.oscillations).toBeLessThan(theirs.oscillations);
    expect(ours.variation).toBeLessThan(theirs.variation ?? 0);
  });
});
