import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { OPTIONS, tick } from './fixtures';

// Scenario: service "checkout" has a budget of 6 sampled traces/s for three operations at
// 0.5, 50 and 5000 requests/s. Max-min fair: GET /status cannot use more than 0.5, so it gets
// all its traffic (p = 1); the other two share the remaining 5.5 equally, 2.75 each.
const counts = { checkout: { 'GET /status': 30, 'POST /pay': 3_000, 'GET /basket': 300_000 } };

function budgeted(budget: number, settings: { minSamplingProbability?: number; maxSamplingProbability?: number } = {}) {
  const calculator = new SamplaneCalculator(OPTIONS);
  calculator.useSettings((service) => (service === 'checkout' ? { budgetTracesPerSecond: budget, ...settings } : undefined));
  return calculator;
}

describe('samplane: a service budget shared max-min fairly', () => {
  it('gives the small operation its whole demand and splits the rest equally', () => {
    const calculator = budgeted(6);
    tick(calculator, counts);
    const { probabilities } = tick(calculator, counts);
    expect(probabilities.checkout['GET /status']).toBe(1);
    expect(probabilities.checkout['POST /pay']).toBeCloseTo(2.75 / 50, 9);
    expect(probabilities.checkout['GET /basket']).toBeCloseTo(2.75 / 5000, 9);
    const total = 0.5 * 1 + 50 * probabilities.checkout['POST /pay'] + 5000 * probabilities.checkout['GET /basket'];
    expect(total).toBeCloseTo(6, 6);
  });

  it('records each operation’s share as its target, with the budget and the request rate', () => {
    const calculator = budgeted(6);
    tick(calculator, counts);
    tick(calculator, counts);
    expect(calculator.lastInputs().checkout['POST /pay']).toMatchObject({ target: 2.75, budget: 6, requestRate: 50 });
    expect(calculator.lastInputs().checkout['GET /status']).toMatchObject({ target: 0.5, budget: 6 });
  });

  it('ignores per-operation targets for a budgeted service', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.useSettings(() => ({ budgetTracesPerSecond: 6, targetSamplesPerSecond: 100 }));
    tick(calculator, counts);
    expect(tick(calculator, counts).probabilities.checkout['POST /pay']).toBeCloseTo(0.055, 9);
  });

  it('honours a policy’s ceiling: an operation capped at p = 0.01 yields 0.5, and the others share the rest', () => {
    const calculator = budgeted(6, { maxSamplingProbability: 0.01 });
    tick(calculator, counts);
    const { probabilities } = tick(calculator, counts);
    // Demands: 0.005 (status at p ≤ 0.01), 0.5 (pay), 50 (basket): basket gets 6 − 0.505.
    expect(probabilities.checkout['GET /status']).toBe(0.01);
    expect(probabilities.checkout['POST /pay']).toBe(0.01);
    expect(probabilities.checkout['GET /basket']).toBeCloseTo(5.495 / 5000, 9);
  });

  it('keeps every operation at its floor when the budget is smaller than the floors', () => {
    const calculator = budgeted(0.01);
    tick(calculator, counts);
    const { probabilities } = tick(calculator, counts);
    // 1/60 traces/s each, but never below the minimum probability (1e-5 > 1/60/5000).
    expect(probabilities.checkout['POST /pay']).toBeCloseTo(1 / 60 / 50, 9);
    expect(probabilities.checkout['GET /basket']).toBe(OPTIONS.minSamplingProbability);
  });
});
