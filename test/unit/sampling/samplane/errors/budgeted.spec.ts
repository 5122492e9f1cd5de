import { boosted, erroredSampled, newCalculator, run } from './error-fixtures';

const calm = { A: [500, 0.01], B: [500, 0.01], C: [200, 0.01] } as Record<string, [number, number]>;
const incident = { ...calm, A: [500, 0.2] as [number, number] };
const BUDGET = 4;

const total = (probabilities: Record<string, number>, load: Record<string, [number, number]>) =>
  Object.entries(load).reduce((sum, [operation, [rate]]) => sum + probabilities[operation] * rate, 0);

describe('error boost: an incident inside a budgeted service', () => {
  const calculator = newCalculator();
  calculator.useSettings(() => ({ budgetTracesPerSecond: BUDGET }));
  const before = run(calculator, calm, 30);
  const during = run(calculator, incident, 30);

  it('shares the budget fairly before the incident', () => {
    const last = before[before.length - 1];
    for (const operation of ['A', 'B', 'C']) expect(last.probabilities[operation] * calm[operation][0]).toBeCloseTo(BUDGET / 3, 1);
  });

  it('pays the boost from the budget: the failing share rises, the total stays within 10 % of it', () => {
    const beforeShare = before[before.length - 1].probabilities.A * 500;
    for (const round of during) {
      expect(boosted(round, 'A')).toBe(true);
      expect(round.probabilities.A * 500).toBeGreaterThan(beforeShare * 2);
      expect(Math.abs(total(round.probabilities, incident) - BUDGET) / BUDGET).toBeLessThanOrEqual(0.1);
      expect(erroredSampled(round, incident, 'A')).toBeGreaterThanOrEqual(0.7);
    }
  });

  it('gives the budget back after the cooldown', () => {
    const after = run(calculator, calm, 200);
    const last = after[after.length - 1];
    expect(boosted(last, 'A')).toBe(false);
    expect(Math.abs(total(last.probabilities, calm) - BUDGET) / BUDGET).toBeLessThanOrEqual(0.1);
    expect(last.probabilities.A * 500).toBeCloseTo(BUDGET / 3, 1);
  });
});
