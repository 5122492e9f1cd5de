import { simulate } from '../../../src/simulator/simulation';
import { summarize } from '../../../src/simulator/summary';
import { lagScenario } from './lag-scenario';

// The fleet and engine around the calculators: when calculations run, when their results
// reach the SDKs, and what each algorithm is told.
describe('simulate', () => {
  const run = simulate(lagScenario);
  const meter = run.meters[0];

  it('calculates every interval, ADAPTIVE_DELAY (10 s) after the bucket it reads closes', () => {
    expect(run.calculations.samplane.map((c) => c.time)).toEqual([70, 130, 190, 250, 310, 370, 430, 490, 550]);
  });

  it('applies a calculation only from the instance’s next poll (second 90 for the one at 70)', () => {
    const p = run.calculations.samplane[0].probabilities.S.op;
    expect(meter.expected.samplane[89]).toBeCloseTo(100 * 0.001, 12);
    expect(meter.expected.samplane[90]).toBeCloseTo(100 * p, 12);
  });

  it('tells samplane the requests (p = target / rate) and jaeger the sampled spans (p doubles from 0.001)', () => {
    // The operation's requests fill the whole first bucket, recent part included, so its first
    // sight is its rate (100/s, from Poisson counts of 6000 a bucket), not twice it.
    expect(run.calculations.samplane[0].probabilities.S.op * 100).toBeCloseTo(1, 1);
    expect(run.calculations.samplane[1].probabilities.S.op * 100).toBeCloseTo(1, 1);
    expect(run.calculations.jaeger[0].probabilities.S.op).toBeCloseTo(0.002, 12);
  });

  it('feeds both algorithms the same requests: the true rate is one series', () => {
    expect(meter.requests[0]).toBe(100);
    expect(meter.requests[599]).toBe(100);
    expect(meter.sampled.jaeger).toHaveLength(10);
  });

  it('is deterministic for a seed', () => {
    expect(summarize(simulate(lagScenario))).toEqual(summarize(run));
  });

  it('attributes traffic to the calculation whose probabilities sampled it', () => {
    const governed = meter.governed.samplane;
    // Calculation 2 (at 130) is applied from 150 to 210: 60 s at p = 0.01.
    expect(governed.seconds[2]).toBe(60);
    // p = 1 / the measured rate of 100 requests/s, within Poisson noise.
    expect(governed.sampled[2] / governed.seconds[2]).toBeCloseTo(1, 1);
  });
});
