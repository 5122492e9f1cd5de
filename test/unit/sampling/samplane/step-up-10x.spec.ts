import { settledAt, tick } from './fixtures';

// Scenario: A.GET at 100 requests/s (exact counts, 60 s buckets, target 1 trace/s) settles at
// p = 0.01; then its traffic rises tenfold. A 10× step must be corrected within two
// calculations, the first of which sees only part of the step when it lands mid-bucket.
describe('samplane: 10× step up', () => {
  it('settles at target / rate before the step', () => {
    const calculator = settledAt(100);
    expect(calculator.calculate().probabilities.A.GET).toBeCloseTo(0.01, 12);
  });

  it('mid-bucket: the straddling bucket (33 000 = 30 s × 100 + 30 s × 1000) is extrapolated to 1000/s', () => {
    const calculator = settledAt(100);
    // 2 × 550 − 100: the rise is taken as if it happened mid-bucket.
    expect(tick(calculator, { A: { GET: 33_000 } }).probabilities.A.GET).toBeCloseTo(0.001, 12);
    expect(calculator.lastInputs().A.GET).toMatchObject({ estimate: 'step', requestRate: 1000, previous: 0.01 });
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(0.001, 12);
  });

  it('on a bucket boundary: undershoots for one calculation (1/1900), exact at the second', () => {
    const calculator = settledAt(100);
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(1 / 1900, 12);
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(0.001, 12);
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(0.001, 12);
  });

  it('reports the sampled rate it computed from: the new request rate at the old probability', () => {
    const calculator = settledAt(100);
    const { qps } = tick(calculator, { A: { GET: 33_000 } });
    expect(qps.A.GET).toBeCloseTo(1000 * 0.01, 9);
  });
});
