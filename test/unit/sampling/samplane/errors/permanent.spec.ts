import { SECONDS, boosted, newCalculator, run } from './error-fixtures';

describe('error boost: a permanently failing operation', () => {
  it('is never boosted when it always failed: its error rate is its own baseline', () => {
    const rounds = run(newCalculator(), { GET: [500, 0.3] }, 300);
    expect(rounds.some((r) => boosted(r, 'GET'))).toBe(false);
    expect(rounds[rounds.length - 1].probabilities.GET).toBeCloseTo(1 / 500, 5);
  });

  it('when it starts failing for good, the boost ends once the new rate has become the baseline', () => {
    const calculator = newCalculator();
    run(calculator, { GET: [500, 0.01] }, 60);
    const failing = run(calculator, { GET: [500, 0.2] }, 3600 / SECONDS);
    expect(boosted(failing[0], 'GET')).toBe(true);
    const end = failing.findIndex((r, i) => i > 0 && !boosted(r, 'GET'));
    expect(end).toBeGreaterThan(0);
    // Not boosted again afterwards, and at its normal rate.
    expect(failing.slice(end).some((r) => boosted(r, 'GET'))).toBe(false);
    expect(failing[failing.length - 1].probabilities.GET).toBeCloseTo(1 / 500, 5);
    expect(failing[failing.length - 1].inputs.GET.errors?.baselineErrorRate).toBeGreaterThan(0.15);
  });
});
