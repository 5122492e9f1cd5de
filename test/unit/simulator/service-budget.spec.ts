import { settled, summaryOf } from './standard-runs';

// A budget of 10 traces/s for a service with operations at 0.5, 50 and 5000 requests/s, and
// three more (2, 200, 2000) from 30:30. Jaeger knows only per-operation targets and is run
// for comparison.
const { jaeger, samplane } = summaryOf('service-budget').algorithms;
const total = samplane.series[0];

describe('simulator: service budget', () => {
  it('samplane meets the budget within 10%', () => {
    expect(total.budgetError).toBeLessThan(0.1);
    expect(Math.abs((total.final ?? 0) - 1)).toBeLessThan(0.1);
  });

  it('samplane shares it max-min fairly: every operation within 10% of its fair share', () => {
    expect(total.fairnessError).toBeLessThan(0.1);
  });

  it('samplane is back on budget within 2 intervals after operations are added', () => {
    expect(settled(total.settling[0])).toBeLessThanOrEqual(2);
    expect(total.overshoot).toBeLessThan(1.3);
  });

  it('samplane’s budget and fairness errors are a fraction of jaeger’s, which knows no budget', () => {
    const theirs = jaeger.series[0];
    expect(total.budgetError).toBeLessThan((theirs.budgetError ?? 0) / 5);
    expect(total.fairnessError).toBeLessThan((theirs.fairnessError ?? 0) / 5);
    expect(settled(total.settling[0])).toBeLessThan(settled(theirs.settling[0]));
  });
});
