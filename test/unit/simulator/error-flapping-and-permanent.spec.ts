import { COOLDOWN, ERROR_TARGET, RETURN_SLACK_SECONDS, incidentsOf } from './error-boost-fixtures';

// GET /stock at 500 requests/s: errors flap between 1 % and 15 % every 10 s for three minutes.
const flapping = incidentsOf('error-flapping');
// GET /legacy at 500 requests/s: errors rise from 1 % to 20 % at 10:00 and stay there.
const permanent = incidentsOf('error-permanent');

describe('simulator: flapping errors', () => {
  const [incident] = flapping.incidents;

  it('samplane boosts within 2 calculations and stays boosted through the flapping instead of toggling', () => {
    expect(incident.boostCalculations).not.toBeNull();
    expect(incident.boostCalculations).toBeLessThanOrEqual(2);
    expect(incident.boostRestarts).toBe(0);
    expect(flapping.falseBoosts).toBe(0);
  });

  it('samplane keeps the probability bounded by what the failing seconds ask for', () => {
    // 1 errored trace/s at 75 errors/s (15 % of 500), with room for one bucket's Poisson noise.
    const asked = ERROR_TARGET / 75;
    expect(incident.peakProbability).toBeLessThanOrEqual(1.25 * asked);
    expect(incident.peakAfter).toBeLessThanOrEqual(incident.peakProbability);
    // Half the time failing at 75 errors/s, half calm: about half the target while it flaps.
    expect(incident.errored.during).toBeGreaterThan(0.4 * ERROR_TARGET);
  });

  it('samplane ends the boost a cooldown after the flapping stops and returns to its former probability', () => {
    const length = incident.until - incident.from;
    expect(incident.boostEndSeconds).not.toBeNull();
    expect(incident.boostEndSeconds).toBeLessThanOrEqual(length + COOLDOWN + RETURN_SLACK_SECONDS);
    expect(incident.returnSeconds).toBeLessThanOrEqual(COOLDOWN + RETURN_SLACK_SECONDS);
  });
});

describe('simulator: an operation that fails for good', () => {
  const [incident] = permanent.incidents;
  const runLength = permanent.run.settings.durationSeconds - incident.from;

  it('samplane boosts it when it starts failing', () => {
    expect(incident.boostCalculations).toBeLessThanOrEqual(2);
  });

  it('samplane stops boosting once its baseline has adapted, and does not boost it again', () => {
    // The baseline's half-life is 10 minutes: 20 % becomes its normal within about 15, then
    // the cooldown runs; the last half hour of the run must be unboosted.
    expect(incident.boostEndSeconds).not.toBeNull();
    expect(incident.boostEndSeconds).toBeLessThanOrEqual(runLength - 1800);
    expect(incident.boostRestarts).toBe(0);
    expect(permanent.falseBoosts).toBe(0);
  });

  it('samplane serves its normal probability again, within 30 % of the one before it failed', () => {
    expect(incident.returnSeconds).not.toBeNull();
    expect(incident.returnSeconds).toBeLessThanOrEqual(runLength - 1800);
  });
});
