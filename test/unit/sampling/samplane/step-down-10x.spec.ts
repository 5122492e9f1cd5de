import { settledAt, tick } from './fixtures';

// Scenario: A.GET at 1000 requests/s settles at p = 0.001, then falls tenfold. Jaeger may at
// most double a probability per interval (four intervals for 10×); samplane sets it from the
// request rate, which does not depend on the probability, so two calculations suffice.
describe('samplane: 10× step down', () => {
  it('mid-bucket: half-way after the straddling bucket, exact after the next', () => {
    const calculator = settledAt(1000);
    expect(calculator.calculate().probabilities.A.GET).toBeCloseTo(0.001, 12);
    // 30 s × 1000 + 30 s × 100 = 33 000: a fall is not extrapolated (guessing it too deep
    // would oversample), so the first answer is 1/550.
    expect(tick(calculator, { A: { GET: 33_000 } }).probabilities.A.GET).toBeCloseTo(1 / 550, 12);
    expect(calculator.lastInputs().A.GET.estimate).toBe('step');
    expect(tick(calculator, { A: { GET: 6_000 } }).probabilities.A.GET).toBeCloseTo(0.01, 12);
    expect(tick(calculator, { A: { GET: 6_000 } }).probabilities.A.GET).toBeCloseTo(0.01, 12);
  });

  it('on a bucket boundary: exact at the first calculation', () => {
    const calculator = settledAt(1000);
    expect(tick(calculator, { A: { GET: 6_000 } }).probabilities.A.GET).toBeCloseTo(0.01, 12);
    expect(tick(calculator, { A: { GET: 6_000 } }).probabilities.A.GET).toBeCloseTo(0.01, 12);
  });

  it('a fall below the target rate samples everything: p = 1, not more', () => {
    const calculator = settledAt(1000);
    expect(tick(calculator, { A: { GET: 30 } }).probabilities.A.GET).toBe(1);
  });
});
