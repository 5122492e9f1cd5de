import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { OPTIONS, tick } from './fixtures';

// Scenario: service "catalog" has a budget of 4 traces/s. Two operations (100 and 1000
// requests/s) share it, 2 each; then two more appear (10 and 10 000 requests/s). With
// per-operation targets the volume would double; with the budget it stays at 4: 1 each.
const BUDGET = 4;
const before = { catalog: { 'GET /a': 6_000, 'GET /b': 60_000 } };
const after = { catalog: { 'GET /a': 6_000, 'GET /b': 60_000, 'GET /c': 600, 'GET /d': 600_000 } };
const rates: Record<string, number> = { 'GET /a': 100, 'GET /b': 1000, 'GET /c': 10, 'GET /d': 10_000 };

function volume(probabilities: Record<string, number>): number {
  return Object.entries(probabilities).reduce((sum, [operation, p]) => sum + rates[operation] * p, 0);
}

describe('samplane: a budget when operations are added', () => {
  const calculator = new SamplaneCalculator(OPTIONS);
  calculator.useSettings(() => ({ budgetTracesPerSecond: BUDGET }));

  it('two operations: 2 traces/s each', () => {
    tick(calculator, before);
    const { probabilities } = tick(calculator, before);
    expect(probabilities.catalog['GET /a']).toBeCloseTo(0.02, 12);
    expect(probabilities.catalog['GET /b']).toBeCloseTo(0.002, 12);
    expect(volume(probabilities.catalog)).toBeCloseTo(BUDGET, 9);
  });

  it('first sight of two more: never above the budget (new rates are taken as if they began mid-bucket)', () => {
    const { probabilities } = tick(calculator, after);
    expect(volume(probabilities.catalog)).toBeLessThanOrEqual(BUDGET + 1e-9);
  });

  it('four operations: 1 trace/s each, still 4 in all', () => {
    const { probabilities } = tick(calculator, after);
    expect(probabilities.catalog['GET /a']).toBeCloseTo(0.01, 12);
    expect(probabilities.catalog['GET /b']).toBeCloseTo(0.001, 12);
    expect(probabilities.catalog['GET /c']).toBeCloseTo(0.1, 12);
    expect(probabilities.catalog['GET /d']).toBeCloseTo(0.0001, 12);
    expect(volume(probabilities.catalog)).toBeCloseTo(BUDGET, 9);
    expect(volume(tick(calculator, after).probabilities.catalog)).toBeCloseTo(BUDGET, 9);
  });
});
