import { settled, summaryOf } from './standard-runs';

// GET /feed bursts 10× twice; POST /import pauses for ten minutes twice and comes back, the
// second time four times busier. A quiet operation must not drift towards probability 1.
const { jaeger, samplane } = summaryOf('bursts').algorithms;
const [feed, importer] = samplane.series;

describe('simulator: bursts and a pausing batch job', () => {
  it('samplane settles within 2 intervals after every burst edge and every return', () => {
    for (const value of [...feed.settling, ...importer.settling]) expect(settled(value)).toBeLessThanOrEqual(2);
  });

  it('samplane keeps a quiet operation at its last probability (0.002 for 500 requests/s), not near 1', () => {
    expect(importer.idleMaxProbability).toBeLessThan(0.0025);
  });

  it('samplane’s first interval back yields no more than the traffic grew (×1 then ×4)', () => {
    expect(importer.returnBurst).toBeLessThan(4.5);
  });

  it('samplane does not oscillate between the steps', () => {
    expect(feed.oscillations + importer.oscillations).toBe(0);
  });

  it('samplane settles strictly faster than jaeger after every burst edge and every return', () => {
    const steps = [...feed.settling, ...importer.settling];
    const theirs = [...jaeger.series[0].settling, ...jaeger.series[1].settling];
    expect(theirs).toHaveLength(steps.length);
    steps.forEach((value, i) => expect(settled(value)).toBeLessThan(settled(theirs[i])));
  });

  it('jaeger drifts a quiet operation up by doubling; samplane stays at a tenth of that at most', () => {
    const [, theirs] = jaeger.series;
    expect(importer.idleMaxProbability).toBeLessThan((theirs.idleMaxProbability ?? 0) / 10);
    expect(importer.returnBurst).toBeLessThan((theirs.returnBurst ?? 0) / 10);
  });
});
