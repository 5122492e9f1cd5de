import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { Random } from '../../../../src/simulator/random';
import { OPTIONS, tick } from './fixtures';

// Scenario: A.GET at a constant 200 requests/s for two hours of 60 s buckets, counted with
// Poisson noise. Jaeger swings around such a load; samplane must settle on one probability.
const RATE = 200;
const BUCKETS = 120;
const WARM_UP = 3;

function reversals(values: number[]): { changes: number; reversals: number } {
  let changes = 0;
  let reversals = 0;
  let lastSign = 0;
  for (let i = 1; i < values.length; i++) {
    const sign = Math.sign(values[i] - values[i - 1]);
    if (sign === 0) continue;
    changes++;
    if (lastSign !== 0 && sign !== lastSign) reversals++;
    lastSign = sign;
  }
  return { changes, reversals };
}

describe('samplane: constant noisy load', () => {
  it('exact counts (reporters send totals): one probability, within 2% of target / rate', () => {
    const random = new Random(7);
    const calculator = new SamplaneCalculator(OPTIONS);
    const probabilities: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      probabilities.push(tick(calculator, { A: { GET: random.poisson(RATE * 60) } }).probabilities.A.GET);
    }
    const settled = probabilities.slice(WARM_UP);
    expect(reversals(settled)).toEqual({ changes: 0, reversals: 0 });
    for (const p of settled) expect(Math.abs(p * RATE - 1)).toBeLessThan(0.02);
  });

  it('counts scaled up from sampled spans (13% noise at 60 samples a bucket): stays within the tolerance band, rarely moves', () => {
    const random = new Random(11);
    const calculator = new SamplaneCalculator(OPTIONS);
    let p = OPTIONS.initialSamplingProbability;
    const probabilities: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const sampled = random.binomial(random.poisson(RATE * 60), p);
      const bucketCounts = { A: { GET: Math.round(sampled / p) } };
      const result = tick(calculator, bucketCounts);
      p = result.probabilities.A.GET;
      probabilities.push(p);
    }
    const settled = probabilities.slice(10);
    for (const value of settled) expect(Math.abs(value * RATE - 1)).toBeLessThan(OPTIONS.deltaTolerance);
    const { changes, reversals: flips } = reversals(settled);
    expect(changes).toBeLessThanOrEqual(6);
    expect(flips).toBeLessThanOrEqual(5);
  });
});
