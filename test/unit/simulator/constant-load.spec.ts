import { summaryOf } from './standard-runs';

// Three operations at constant rates (20, 200, 5000 requests/s): Jaeger swings around such
// loads; samplane must not oscillate and must sit on the target.
const { jaeger, samplane } = summaryOf('constant').algorithms;

describe('simulator: constant load', () => {
  it.each(samplane.series.map((s) => [s.label, s] as const))('samplane does not oscillate: %s', (_label, series) => {
    expect(series.oscillations).toBe(0);
    expect(series.probabilityChanges).toBeLessThanOrEqual(1);
    expect(series.variation).toBeLessThan(0.05);
  });

  it.each(samplane.series.map((s) => [s.label, s] as const))('samplane is on target: %s', (_label, series) => {
    expect(Math.abs((series.final ?? 0) - 1)).toBeLessThan(0.1);
    expect(series.overshoot).toBeLessThan(1.1);
  });

  it.each(samplane.series.map((s, i) => [s.label, s, jaeger.series[i]] as const))(
    'samplane varies less and moves less often than jaeger: %s',
    (_label, ours, theirs) => {
      expect(theirs.label).toBe(ours.label);
      expect(ours.variation).toBeLessThan(theirs.variation ?? 0);
      expect(ours.probabilityChanges).toBeLessThan(theirs.probabilityChanges);
    },
  );
});
