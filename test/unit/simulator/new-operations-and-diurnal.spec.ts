import { settled, summaryOf } from './standard-runs';

// Operations appearing mid-run start from the default probability (0.001), far from their
// target; a day squeezed into the hour swings the rate 10× and back smoothly.
const fresh = summaryOf('new-operations').algorithms;
const day = summaryOf('diurnal').algorithms;

describe('simulator: new operations', () => {
  it.each(fresh.samplane.series.filter((s) => s.settling.length > 0).map((s) => [s.label, s] as const))(
    'samplane settles within 2 intervals: %s',
    (_label, series) => {
      expect(settled(series.settling[0])).toBeLessThanOrEqual(2);
    },
  );

  it.each(fresh.samplane.series.map((s, i) => [s.label, s, fresh.jaeger.series[i]] as const))(
    'samplane settles strictly faster than jaeger and overshoots less: %s',
    (_label, ours, theirs) => {
      ours.settling.forEach((value, i) => expect(settled(value)).toBeLessThan(settled(theirs.settling[i])));
      expect(ours.overshoot).toBeLessThan(theirs.overshoot ?? 0);
    },
  );
});

describe('simulator: diurnal swing', () => {
  it('samplane follows it within the tolerance band on average, with few direction changes', () => {
    const [web] = day.samplane.series;
    expect(web.variation).toBeLessThan(0.2);
    expect(web.oscillations).toBeLessThanOrEqual(4);
    expect(web.overshoot).toBeLessThan(1.35);
  });

  it('samplane varies less and overshoots less than jaeger', () => {
    const [ours] = day.samplane.series;
    const [theirs] = day.jaeger.series;
    expect(ours.variation).toBeLessThan(theirs.variation ?? 0);
    expect(ours.overshoot).toBeLessThan(theirs.overshoot ?? 0);
  });
});
