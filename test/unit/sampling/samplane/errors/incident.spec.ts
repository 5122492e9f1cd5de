import { SECONDS, boosted, erroredSampled, newCalculator, run } from './error-fixtures';

// 500 requests/s; errors rise from 1 % to 20 % for a minute, then fall back.
const normal = { GET: [500, 0.01] as [number, number] };
const incident = { GET: [500, 0.2] as [number, number] };
const COOLDOWN = 300;

describe('error boost: an incident on one operation', () => {
  const calculator = newCalculator();
  const before = run(calculator, normal, 60);
  const during = run(calculator, incident, 30);
  const after = run(calculator, normal, COOLDOWN / SECONDS + 10);

  it('serves target ÷ rate and no boost while errors stay at their baseline', () => {
    const last = before[before.length - 1];
    expect(last.probabilities.GET).toBeCloseTo(1 / 500, 5);
    expect(before.some((r) => boosted(r, 'GET'))).toBe(false);
  });

  it('the first calculation that sees the incident samples about one errored trace per second', () => {
    expect(boosted(during[0], 'GET')).toBe(true);
    expect(erroredSampled(during[0], incident, 'GET')).toBeGreaterThanOrEqual(0.8);
    expect(erroredSampled(during[0], incident, 'GET')).toBeLessThanOrEqual(1.25);
    expect(during[0].inputs.GET.errors).toMatchObject({ errorRate: 0.2, errorsPerSecond: 100 });
    expect(during[0].inputs.GET.errors?.baselineErrorRate).toBeCloseTo(0.01, 3);
    expect(during[0].inputs.GET.errors?.boost).toMatchObject({ targetErrorSamplesPerSecond: 1, anomalous: true });
  });

  it('holds the boost while the incident lasts', () => {
    for (const round of during) expect(erroredSampled(round, incident, 'GET')).toBeGreaterThanOrEqual(0.8);
  });

  it('cools down without a spike, then returns to the former probability', () => {
    const peak = Math.max(...during.map((r) => r.probabilities.GET));
    const cooling = after.filter((r) => boosted(r, 'GET'));
    for (const round of after) expect(round.probabilities.GET).toBeLessThanOrEqual(peak);
    // The boost ends one cooldown of data after the last anomalous bucket (the short window
    // may still show the incident for a few buckets after it ended).
    expect(cooling.length * SECONDS).toBeGreaterThanOrEqual(COOLDOWN - SECONDS);
    expect(cooling.length * SECONDS).toBeLessThanOrEqual(COOLDOWN + 60);
    const last = after[after.length - 1];
    expect(boosted(last, 'GET')).toBe(false);
    expect(Math.abs(last.probabilities.GET - 1 / 500) / (1 / 500)).toBeLessThan(0.3);
  });
});
