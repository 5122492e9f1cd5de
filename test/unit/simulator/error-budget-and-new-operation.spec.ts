import { ERROR_TARGET, COOLDOWN, RETURN_SLACK_SECONDS, everBoosted, incidentsOf } from './error-boost-fixtures';
import { summaryOf } from './standard-runs';

// checkout has a budget of 4 traces/s over POST /pay (500 requests/s), GET /basket (500) and
// GET /status (200); POST /pay fails at 20 % for five minutes.
const budgeted = incidentsOf('error-budget');
const BUDGET = 4;
// POST /export appears at 200 requests/s failing at 10 %, its normal; later 40 % for five minutes.
const fresh = incidentsOf('error-new-operation');

describe('simulator: an error incident inside a budgeted service', () => {
  const [incident] = budgeted.incidents;
  const [, total] = summaryOf('error-budget').algorithms.samplane.series;

  it('samplane boosts the failing operation within 2 calculations, paid from the budget', () => {
    expect(incident.boostCalculations).toBeLessThanOrEqual(2);
    // Its share rises from a third of the budget to nearly all of it.
    expect(incident.sampled.before).toBeLessThan(0.4 * BUDGET);
    expect(incident.sampled.during).toBeGreaterThan(2 * (incident.sampled.before ?? Infinity));
    expect(incident.sampled.during).toBeGreaterThan(0.95 * BUDGET);
    // At most the whole budget of 4 traces/s at 20 % errors: 0.8 errored traces/s.
    expect(incident.errored.during).toBeGreaterThan(0.95 * 0.2 * BUDGET);
    expect(incident.errored.during).toBeLessThanOrEqual(ERROR_TARGET);
  });

  it('samplane keeps the service within 10 % of its budget during the incident and over the run', () => {
    expect(incident.budgetErrorMax).toBeLessThanOrEqual(0.1);
    expect(total.budgetError).toBeLessThan(0.1);
    expect(Math.abs((total.final ?? 0) - 1)).toBeLessThan(0.1);
  });

  it('samplane gives the budget back after the cooldown', () => {
    expect(incident.returnSeconds).toBeLessThanOrEqual(COOLDOWN + RETURN_SLACK_SECONDS);
    expect(incident.peakAfter).toBeLessThanOrEqual(incident.peakProbability);
    expect(everBoosted(budgeted.run, 'checkout', 'GET /basket')).toBe(false);
    expect(everBoosted(budgeted.run, 'checkout', 'GET /status')).toBe(false);
  });
});

describe('simulator: a new operation with errors', () => {
  const [incident] = fresh.incidents;

  it('samplane takes a new operation’s errors as its baseline, not as an incident', () => {
    expect(fresh.falseBoosts).toBe(0);
    expect(incident.errored.before).toBeLessThan(0.2);
  });

  it('samplane boosts it when its errors later rise above that baseline', () => {
    expect(incident.boostCalculations).toBeLessThanOrEqual(2);
    expect(incident.errored.during).toBeGreaterThanOrEqual(0.8 * ERROR_TARGET);
    expect(incident.errored.during).toBeLessThanOrEqual(1.25 * ERROR_TARGET);
  });

  it('samplane returns to the former probability within the cooldown and a few calculations, with no spike', () => {
    expect(incident.returnSeconds).not.toBeNull();
    expect(incident.returnSeconds).toBeLessThanOrEqual(COOLDOWN + RETURN_SLACK_SECONDS);
    expect(incident.peakAfter).toBeLessThanOrEqual(incident.peakProbability);
    expect(everBoosted(fresh.run, 'search', 'GET /search')).toBe(false);
  });
});
