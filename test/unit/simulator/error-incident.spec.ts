import { COOLDOWN, ERROR_TARGET, RETURN_SLACK_SECONDS, everBoosted, incidentsOf } from './error-boost-fixtures';

// GET /orders at 500 requests/s: errors rise from 1 % to 20 % for five minutes (100 errors/s),
// then fall back; exact reports, a 2 s calculation interval. Jaeger has no boost and is charted
// for comparison only.
const { incidents, falseBoosts, run } = incidentsOf('error-incident');
const [incident] = incidents;

describe('simulator: an error incident', () => {
  it('samplane boosts within 2 calculations of the incident becoming visible', () => {
    expect(incidents).toHaveLength(1);
    expect(incident.boostCalculations).not.toBeNull();
    expect(incident.boostCalculations).toBeLessThanOrEqual(2);
    expect(incident.boostSeconds).toBeLessThanOrEqual(2 * run.settings.calculationIntervalSeconds + run.settings.delaySeconds);
  });

  it('samplane samples about the error target of errored traces during it, and few before', () => {
    expect(incident.errorsPerSecond).toBeCloseTo(100, 0);
    expect(incident.errored.during).toBeGreaterThanOrEqual(0.8 * ERROR_TARGET);
    expect(incident.errored.during).toBeLessThanOrEqual(1.25 * ERROR_TARGET);
    expect(incident.errored.before).toBeLessThan(0.05);
    expect(incident.sampled.before).toBeGreaterThan(0.7);
    expect(incident.sampled.before).toBeLessThan(1.3);
  });

  it('samplane returns within 30 % of the former probability within the cooldown and a few calculations, with no spike', () => {
    expect(incident.returnSeconds).not.toBeNull();
    // The boost holds through the cooldown, then ends.
    expect(incident.returnSeconds).toBeGreaterThanOrEqual(COOLDOWN - run.settings.calculationIntervalSeconds);
    expect(incident.returnSeconds).toBeLessThanOrEqual(COOLDOWN + RETURN_SLACK_SECONDS);
    expect(incident.peakAfter).toBeLessThanOrEqual(incident.peakProbability);
    expect(incident.boostRestarts).toBe(0);
  });

  it('samplane holds the boost through the incident and its cooldown, without a gap', () => {
    const length = incident.until - incident.from;
    expect(incident.boostEndSeconds).toBeGreaterThanOrEqual(length + COOLDOWN - run.settings.calculationIntervalSeconds);
    expect(incident.boostEndSeconds).toBeLessThanOrEqual(length + COOLDOWN + RETURN_SLACK_SECONDS);
    expect(incident.boostRestarts).toBe(0);
  });

  it('samplane boosts nothing else: not before the incident, not the calm operation beside it', () => {
    expect(falseBoosts).toBe(0);
    expect(everBoosted(run, 'orders', 'GET /health')).toBe(false);
  });
});
