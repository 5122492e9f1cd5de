import { Random } from '../../../../../src/simulator/random';
import type { ThroughputBucket } from '../../../../../src/sampling/throughput';
import { SECONDS, boosted, newCalculator, run } from './error-fixtures';

/** One bucket of `rate` requests/s whose errors are drawn, as real traffic scatters them. */
function drawn(random: Random, rate: number, errorRate: number): ThroughputBucket {
  const count = rate * SECONDS;
  const errors = random.binomial(count, errorRate);
  const throughput = new Map([['S', new Map([['GET', { count, exact: count, errors, probabilities: [] }]])]]);
  return { intervalSeconds: SECONDS, throughput };
}

describe('error boost: a young baseline', () => {
  it('boosts an incident that begins 12 s after the operation first appeared', () => {
    const calculator = newCalculator();
    run(calculator, { GET: [500, 0.01] }, 6);
    const [first] = run(calculator, { GET: [500, 0.2] }, 1);
    expect(boosted(first, 'GET')).toBe(true);
    expect(first.probabilities.GET * 500 * 0.2).toBeGreaterThanOrEqual(0.8);
  });

  it.each([
    [50, 0.01],
    [500, 0.01],
    [500, 0.05],
    [20, 0.2],
  ])('is not boosted by the scatter of %d requests/s at %d errors from the first bucket on', (rate, errorRate) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = new Random(seed);
      const calculator = newCalculator();
      for (let i = 0; i < 300; i++) {
        calculator.addBucket(drawn(random, rate, errorRate));
        calculator.calculate();
        const inputs = calculator.lastInputs().S?.GET;
        if (inputs?.errors?.boost) throw new Error(`seed ${seed}: boosted at bucket ${i}: ${JSON.stringify(inputs.errors)}`);
      }
    }
  });
});
