import { boosted, newCalculator, run } from './error-fixtures';

describe('error boost: an incident fading out', () => {
  it('never rises above its peak on a bucket that straddles the end, or as errors fade', () => {
    const calculator = newCalculator();
    run(calculator, { GET: [500, 0.01] }, 30);
    const during = run(calculator, { GET: [500, 0.2] }, 10);
    const peak = Math.max(...during.map((r) => r.probabilities.GET));
    // Half a bucket of incident, then errors fading: fewer errors/s would ask for more.
    const fading = [
      ...run(calculator, { GET: [500, 0.12] }, 1),
      ...run(calculator, { GET: [500, 0.06] }, 3),
      ...run(calculator, { GET: [500, 0.01] }, 5),
    ];
    expect(fading.every((r) => boosted(r, 'GET'))).toBe(true);
    for (const round of fading) expect(round.probabilities.GET).toBeLessThanOrEqual(peak);
  });

  it('still follows an incident that worsens', () => {
    const calculator = newCalculator();
    run(calculator, { GET: [500, 0.01] }, 30);
    const [first] = run(calculator, { GET: [500, 0.4] }, 1);
    const [worse] = run(calculator, { GET: [1000, 0.4] }, 1);
    expect(worse.probabilities.GET).toBeLessThan(first.probabilities.GET);
    const [fewer] = run(calculator, { GET: [250, 0.4] }, 1);
    // The same error rate on less traffic: the boost rises to keep its errored traces.
    expect(fewer.probabilities.GET).toBeGreaterThan(worse.probabilities.GET);
  });
});
