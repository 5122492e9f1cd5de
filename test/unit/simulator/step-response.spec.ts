import { settled, summaryOf } from './standard-runs';

// 10× steps landing mid-interval (20:30): samplane must be back in the ±30% band within two
// calculations and stay there; after the drop it must beat Jaeger, whose probability may at
// most double per interval.
const up = summaryOf('step-up').algorithms;
const down = summaryOf('step-down').algorithms;

describe('simulator: 10× step up', () => {
  it('samplane settles within 2 calculation intervals', () => {
    expect(up.samplane.series[0].settling).toHaveLength(1);
    expect(settled(up.samplane.series[0].settling[0])).toBeLessThanOrEqual(2);
  });

  it('samplane neither overshoots nor moves at constant load after it', () => {
    expect(up.samplane.series[0].overshoot).toBeLessThan(1.3);
    expect(up.samplane.series[0].oscillations).toBe(0);
  });

  it('samplane settles strictly faster than jaeger and overshoots less', () => {
    expect(settled(up.samplane.series[0].settling[0])).toBeLessThan(settled(up.jaeger.series[0].settling[0]));
    expect(up.samplane.series[0].overshoot).toBeLessThan(up.jaeger.series[0].overshoot ?? 0);
  });
});

describe('simulator: 10× step down', () => {
  it('samplane settles within 2 calculation intervals', () => {
    expect(settled(down.samplane.series[0].settling[0])).toBeLessThanOrEqual(2);
  });

  it('samplane settles strictly faster than jaeger', () => {
    expect(settled(down.samplane.series[0].settling[0])).toBeLessThan(settled(down.jaeger.series[0].settling[0]));
  });

  it('samplane ends on target', () => {
    expect(Math.abs((down.samplane.series[0].final ?? 0) - 1)).toBeLessThan(0.1);
  });

  it('samplane overshoots less than jaeger, whose rate may at most double per interval', () => {
    expect(down.samplane.series[0].overshoot).toBeLessThan(down.jaeger.series[0].overshoot ?? 0);
  });
});
