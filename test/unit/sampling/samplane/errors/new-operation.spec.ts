import { type Round, boosted, newCalculator, run } from './error-fixtures';

describe('error boost: a new operation with errors', () => {
  it('takes its first errors as its baseline rather than as an incident', () => {
    const calculator = newCalculator();
    run(calculator, { GET: [500, 0.01] }, 30);
    const rounds = run(calculator, { GET: [500, 0.01], POST: [200, 0.1] }, 60);
    expect(rounds.some((r) => boosted(r, 'POST'))).toBe(false);
    expect(rounds[rounds.length - 1].probabilities.POST).toBeCloseTo(1 / 200, 5);
  });

  it('is boosted when its errors later rise above that baseline', () => {
    const calculator = newCalculator();
    run(calculator, { POST: [200, 0.02] }, 60);
    const [first] = run(calculator, { POST: [200, 0.5] }, 1);
    expect(boosted(first, 'POST')).toBe(true);
    expect(first.probabilities.POST).toBeCloseTo(1 / 100, 4);
  });

  it('is not boosted by noise: Poisson-like scatter around a low rate', () => {
    const calculator = newCalculator();
    const rounds: Round[] = [];
    // 1 % of 1000 requests per bucket, scattered from 3 to 18 errors.
    const scatter = [0.003, 0.018, 0.01, 0.006, 0.015, 0.009, 0.012, 0.004, 0.017, 0.01];
    for (let i = 0; i < 300; i++) rounds.push(...run(calculator, { GET: [500, scatter[i % scatter.length]] }, 1));
    expect(rounds.some((r) => boosted(r, 'GET'))).toBe(false);
  });
});
