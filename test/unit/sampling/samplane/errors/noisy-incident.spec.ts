import type { ThroughputBucket } from '../../../../../src/sampling/throughput';
import { Random } from '../../../../../src/simulator/random';
import { SECONDS, newCalculator } from './error-fixtures';

const RATE = 500;
/** Outcomes seen per bucket: those of sampled spans only, so errors/s is read with noise. */
const OUTCOMES = 100;
const INCIDENT = 0.1;
/** 1 errored trace/s out of RATE × INCIDENT errors/s. */
const AIM = 1 / (RATE * INCIDENT);

/** One bucket whose errors among OUTCOMES are drawn at `errorRate` (seeded: the same on every run). */
function bucket(errorRate: number, random: Random): ThroughputBucket {
  const errors = random.binomial(OUTCOMES, errorRate);
  const counts = { count: RATE * SECONDS, exact: 0, outcomes: OUTCOMES, errors, probabilities: [] };
  return { intervalSeconds: SECONDS, throughput: new Map([['S', new Map([['GET', counts]])]]) };
}

/**
 * For one seed: the mean probability served over an incident's last 30 s against the aim, and
 * the highest served after it (a straddling bucket, then calm) against that mean.
 */
function incident(seed: number): { againstAim: number; afterAgainstDuring: number } {
  const random = new Random(seed);
  const calculator = newCalculator();
  for (let i = 0; i < 30; i++) {
    calculator.addBucket(bucket(0.01, random));
    calculator.calculate();
  }
  const served: number[] = [];
  for (let i = 0; i < 25; i++) {
    calculator.addBucket(bucket(INCIDENT, random));
    served.push(calculator.calculate().probabilities.S.GET);
  }
  const last = served.slice(-30 / SECONDS);
  const during = last.reduce((sum, p) => sum + p, 0) / last.length;
  const after: number[] = [];
  for (const errorRate of [INCIDENT / 2, ...Array<number>(30).fill(0.01)]) {
    calculator.addBucket(bucket(errorRate, random));
    after.push(calculator.calculate().probabilities.S.GET);
  }
  return { againstAim: during / AIM, afterAgainstDuring: Math.max(...after) / during };
}

describe('error boost: an incident whose errors are read with noise', () => {
  // ~10 errors a bucket: ±30 % of noise on any one bucket's errors/s.
  const runs = Array.from({ length: 40 }, (_, i) => incident(i + 1));
  const ratios = runs.map((r) => r.againstAim).sort((a, b) => a - b);

  it('is boosted to its aim, not pinned under it by its noisiest bucket', () => {
    // Aimed from one bucket and then only lowered while errors look lower, the boost settled
    // at 0.70 of the aim (the noisiest bucket's), and under 0.82 in nine runs of ten.
    const median = ratios[ratios.length / 2];
    expect(median).toBeGreaterThan(0.9);
    expect(median).toBeLessThan(1.1);
    expect(ratios[Math.floor(ratios.length * 0.1)]).toBeGreaterThan(0.75);
    expect(ratios[Math.floor(ratios.length * 0.9)]).toBeLessThan(1.25);
  });

  it('does not rise as the incident ends, or during the cooldown, past noise', () => {
    const after = runs.map((r) => r.afterAgainstDuring).sort((a, b) => a - b);
    expect(after[after.length / 2]).toBeLessThanOrEqual(1.05);
    expect(after[Math.floor(after.length * 0.9)]).toBeLessThan(1.2);
  });
});
