import { RateEstimator } from '../../../../src/sampling/samplane/rate-estimator';
import { SAMPLANE_TUNING } from '../../../../src/sampling/samplane/samplane-options';

// 60 s buckets whose last 15 s are also counted apart (the engine's recent part), exact counts.
const SECONDS = 60;
const RECENT = 15;

/** An estimator settled at `rate` requests/s over three full buckets. */
function settled(rate: number): RateEstimator {
  const e = new RateEstimator(SAMPLANE_TUNING);
  for (let i = 0; i < 3; i++) e.observe(rate * SECONDS, SECONDS, 1, { count: rate * RECENT, seconds: RECENT });
  return e;
}

/** A bucket at `before` requests/s up to second `at`, then `after`, with its recent part. */
function stepped(before: number, after: number, at: number) {
  const rateAt = (t: number) => (t < at ? before : after);
  let count = 0;
  let recent = 0;
  for (let t = 0; t < SECONDS; t++) {
    count += rateAt(t);
    if (t >= SECONDS - RECENT) recent += rateAt(t);
  }
  return { count, recent: { count: recent, seconds: RECENT } };
}

describe('RateEstimator with the recent part of each bucket', () => {
  it.each([
    ['a 10× drop', 1000, 100],
    ['a 10× rise', 100, 1000],
  ])('takes %s that began early in the bucket at its new level at once', (_, before, after) => {
    for (const at of [5, 20, 44]) {
      const e = settled(before);
      const { count, recent } = stepped(before, after, at);
      expect(e.observe(count, SECONDS, 1, recent)).toBe('step');
      expect(e.rate).toBe(after);
    }
  });

  it('takes a rise within the recent part as if it began midway through it', () => {
    const e = settled(100);
    // From second 52: the recent part (45..60) holds 7 s at 100 and 8 s at 1000.
    const { count, recent } = stepped(100, 1000, 52);
    expect(e.observe(count, SECONDS, 1, recent)).toBe('step');
    const recentRate = (7 * 100 + 8 * 1000) / RECENT;
    expect(e.rate).toBeCloseTo(2 * recentRate - 100, 9);
  });

  it('takes a fall within the recent part as the recent part shows it, never deeper', () => {
    const e = settled(1000);
    const { count, recent } = stepped(1000, 100, 52);
    e.observe(count, SECONDS, 1, recent);
    expect(e.rate).toBeCloseTo((7 * 1000 + 8 * 100) / RECENT, 9);
    // The bucket after replaces it as it is.
    e.observe(100 * SECONDS, SECONDS, 1, { count: 100 * RECENT, seconds: RECENT });
    expect(e.rate).toBe(100);
  });

  it('takes a new operation already there before the recent part at the recent rate, not twice it', () => {
    const e = new RateEstimator(SAMPLANE_TUNING);
    const { count, recent } = stepped(0, 200, 10);
    expect(e.observe(count, SECONDS, 1, recent)).toBe('first');
    expect(e.rate).toBe(200);
    const late = new RateEstimator(SAMPLANE_TUNING);
    const within = stepped(0, 200, 50);
    late.observe(within.count, SECONDS, 1, within.recent);
    expect(late.rate).toBeCloseTo(2 * ((10 * 200) / RECENT), 9);
  });

  it('does not set a level from a recent part of too few requests', () => {
    // 0.2 requests/s: 3 requests in the recent part say little; the bucket as a whole decides.
    const e = new RateEstimator(SAMPLANE_TUNING);
    e.observe(12, SECONDS, 1, { count: 3, seconds: RECENT });
    expect(e.rate).toBeCloseTo(0.4, 12);
  });

  it('keeps extrapolating a ramp that rose before, rather than levelling off at its recent part', () => {
    const e = settled(100);
    // A bucket clearly above the estimate but within half again of it, after one already above.
    e.observe(100 * SECONDS + 3 * Math.sqrt(100 * SECONDS), SECONDS, 1, { count: 102 * RECENT, seconds: RECENT });
    expect(e.observe(130 * SECONDS, SECONDS, 1, { count: 140 * RECENT, seconds: RECENT })).toBe('step');
    const before = 100 + 0.3 * 3 * Math.sqrt(100 * SECONDS) / SECONDS;
    expect(e.rate).toBeCloseTo(2 * 130 - before, 9);
  });

  it('knows counts reported exactly are Poisson, so a fresh operation served 1% sees a 10× drop at once', () => {
    // Scaled up from sampled spans at p = 0.01, 2000 requests are ~20 spans: a fall to ~500
    // could be noise. Reported exactly, it cannot.
    const fresh = (exact: boolean) => {
      const e = new RateEstimator(SAMPLANE_TUNING);
      e.observe(2000, 2, 0.01, undefined, exact ? 2000 : undefined);
      e.observe(2000, 2, 0.01, undefined, exact ? 2000 : undefined);
      return e.observe(500, 2, 0.01, undefined, exact ? 500 : undefined);
    };
    expect(fresh(true)).toBe('step');
    expect(fresh(false)).toBe('smoothed');
  });
});
