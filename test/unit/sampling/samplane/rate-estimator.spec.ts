import { RateEstimator } from '../../../../src/sampling/samplane/rate-estimator';
import { SAMPLANE_TUNING } from '../../../../src/sampling/samplane/samplane-options';

// The request-rate estimator, bucket by bucket (60 s buckets, exact counts).
function estimator(): RateEstimator {
  return new RateEstimator(SAMPLANE_TUNING);
}

describe('RateEstimator', () => {
  it('takes a new operation as if it appeared mid-bucket, then its next bucket as it is', () => {
    const e = estimator();
    expect(e.observe(600, 60, 0.001)).toBe('first');
    expect(e.rate).toBe(20);
    expect(e.observe(600, 60, 0.001)).toBe('step');
    expect(e.rate).toBe(10);
  });

  it('blends a count within noise into the estimate (EWMA, weight 0.3)', () => {
    const e = estimator();
    e.observe(6000, 60, 1);
    e.observe(6000, 60, 1);
    expect(e.observe(6060, 60, 1)).toBe('smoothed');
    expect(e.rate).toBeCloseTo(100 + 0.3 * 1, 12);
  });

  it('jumps to a count far outside noise, extrapolating a rise but not a fall', () => {
    const up = estimator();
    up.observe(6000, 60, 1);
    up.observe(6000, 60, 1);
    expect(up.observe(12_000, 60, 1)).toBe('step');
    expect(up.rate).toBe(300);
    const down = estimator();
    down.observe(6000, 60, 1);
    down.observe(6000, 60, 1);
    expect(down.observe(3000, 60, 1)).toBe('step');
    expect(down.rate).toBe(50);
  });

  it('judges counts scaled up from sampled spans by their larger noise: 1/p of a Poisson count', () => {
    // At p = 0.01, 6000 requests are 60 sampled spans: ±13% is noise, not a step.
    const e = estimator();
    e.observe(6000, 60, 0.01);
    e.observe(6000, 60, 0.01);
    expect(e.noiseDispersion).toBe(100);
    expect(e.observe(6800, 60, 0.01)).toBe('smoothed');
  });

  it('learns that exact counts are Poisson, and then sees a 10% change as a step', () => {
    const e = estimator();
    for (let i = 0; i < 40; i++) e.observe(6000 + (i % 2 === 0 ? 30 : -30), 60, 0.01);
    expect(e.noiseDispersion).toBeLessThan(1.5);
    expect(e.observe(6600, 60, 0.01)).toBe('step');
  });

  it('takes two buckets in a row beyond half the threshold on the same side as a change', () => {
    const e = estimator();
    e.observe(6000, 60, 0.01);
    e.observe(6000, 60, 0.01);
    // Noise at p = 0.01: σ ≈ √(9200 · 100 · 1.18) ≈ 1040 requests; z = 3.1, then 2.2
    // against the estimate the first bucket moved by 30%.
    expect(e.observe(9200, 60, 0.01)).toBe('smoothed');
    expect(e.observe(9200, 60, 0.01)).toBe('step');
    expect(e.rate).toBeGreaterThan(100);
  });

  it('after a pause, a lower first bucket is taken as partial, not as a fall', () => {
    const e = estimator();
    e.observe(6000, 60, 1);
    e.observe(6000, 60, 1);
    e.pause();
    expect(e.observe(2000, 60, 1)).toBe('resumed');
    expect(e.rate).toBe(100);
    expect(e.observe(6000, 60, 1)).toBe('step');
    expect(e.rate).toBe(100);
  });

  it('takes a delivery after empty buckets as covering them too, and pauses only after a longer wait', () => {
    // 100 requests/s in 2 s buckets, delivered as one count every 6 s.
    const e = estimator();
    e.observe(200, 2, 1);
    e.observe(200, 2, 1);
    expect(e.observeNothing(2)).toBe('awaiting');
    expect(e.observeNothing(2)).toBe('awaiting');
    expect(e.observe(600, 2, 1)).toBe('smoothed');
    expect(e.rate).toBeCloseTo(100, 12);
    // Silence for longer than any exporter waits between deliveries is a pause.
    for (let waited = 2; waited <= 12; waited += 2) expect(e.observeNothing(2)).toBe('awaiting');
    expect(e.observeNothing(2)).toBeUndefined();
  });

  it('judges a bucket longer than the wait between deliveries at once, as before', () => {
    const e = estimator();
    e.observe(6000, 60, 1);
    expect(e.observeNothing(60)).toBeUndefined();
  });
});
