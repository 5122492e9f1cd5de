import { describeSeries, settled, summaryOf } from './standard-runs';

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

  it.each(fresh.jaeger.series.map((s) => [s.label, describeSeries(s)] as const))('jaeger, for the record: %s: %s', () => {
    expect(fresh.jaeger.series).toHaveLength(3);
  });
});

describe('simulator: diurnal swing', () => {
  it('samplane follows it within the tolerance band on average, with few direction changes', () => {
    const [web] = day.samplane.series;
    expect(web.variation).toBeLessThan(0.2);
    expect(web.oscillations).toBeLessThanOrEqual(4);
    expect(web.overshoot).toBeLessThan(1.35);
  });

  it(`jaeger, for the record: ${describeSeries(day.jaeger.series[0])}`, () => {
    expect(day.jaeger.series).toHaveLength(1);
  });
});
