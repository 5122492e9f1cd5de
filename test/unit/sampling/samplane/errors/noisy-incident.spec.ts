import type { ThroughputBucket } from '../../../../../src/sampling/throughput';
import { Random } from '../../../../../src/simulator/random';
import { SECONDS, newCalculator } from './error-fixtures';

const RATE = 500;
const INCIDENT = 0.1;

/**
 * One bucket of GET on service S: `rate` requests/s failing at `errorRate`, whose outcomes are
 * seen for `outcomes` of them (sampled spans: errors drawn, seeded) or for all (exact reports).
 */
function bucket(rate: number, errorRate: number, random: Random, outcomes?: number): ThroughputBucket {
  const count = rate * SECONDS;
  const counts =
    outcomes === undefined
      ? { count, exact: count, errors: Math.round(count * errorRate), probabilities: [] }
      : { count, exact: 0, outcomes, errors: random.binomial(outcomes, errorRate), probabilities: [] };
  return { intervalSeconds: SECONDS, throughput: new Map([['S', new Map([['GET', counts]])]]) };
}

/** The probability served at each calculation through phases of [seconds, rate, error rate]. */
function served(seed: number, phases: [number, number, number][], outcomes?: number): number[] {
  const random = new Random(seed);
  const calculator = newCalculator();
  const probabilities: number[] = [];
  for (const [seconds, rate, errorRate] of phases) {
    for (let i = 0; i < seconds / SECONDS; i++) {
      calculator.addBucket(bucket(rate, errorRate, random, outcomes));
      probabilities.push(calculator.calculate().probabilities.S.GET);
    }
  }
  return probabilities;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(values.length * q)];

describe('error boost: an incident whose errors are read with noise', () => {
  // A minute at 1 %, five minutes at 10 %, a bucket straddling the end, two calm minutes; the
  // outcomes of 100 sampled spans a bucket: ~10 errors, ±30 % of noise on one bucket's errors/s.
  const runs = Array.from({ length: 40 }, (_, i) =>
    served(i + 1, [[60, RATE, 0.01], [300, RATE, INCIDENT], [SECONDS, RATE, INCIDENT / 2], [120, RATE, 0.01]], 100),
  );

  it('does not rise as the incident ends, or during the cooldown, past noise', () => {
    const ratios = runs.map((p) => Math.max(...p.slice((60 + 300) / SECONDS)) / mean(p.slice((60 + 240) / SECONDS, (60 + 300) / SECONDS)));
    expect(quantile(ratios, 0.5)).toBeLessThanOrEqual(1.05);
    expect(quantile(ratios, 0.9)).toBeLessThan(1.2);
  });

  it('follows an incident that worsens at once, from its first bucket at the new level', () => {
    // Exact reports: 50 errors/s for a minute, then 250 (5× the traffic).
    const p = served(1, [[60, RATE, 0.01], [60, RATE, INCIDENT], [40, 5 * RATE, INCIDENT]]);
    const errored = (seconds: number, errorsPerSecond: number) => p[seconds / SECONDS - 1] * errorsPerSecond;
    expect(errored(120, 50)).toBeCloseTo(1, 2);
    // An estimate averaging the minute before would sample several errored traces/s at first.
    expect(errored(122, 250)).toBeCloseTo(1, 2);
    expect(errored(160, 250)).toBeCloseTo(1, 2);
  });
});
