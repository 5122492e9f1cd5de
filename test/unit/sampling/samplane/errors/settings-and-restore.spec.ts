import { JaegerCalculator } from '../../../../../src/sampling/jaeger/jaeger-calculator';
import { SECONDS, boosted, bucket, erroredSampled, newCalculator, run } from './error-fixtures';

const normal = { GET: [500, 0.01] as [number, number] };
const incident = { GET: [500, 0.2] as [number, number] };

describe('error boost: settings', () => {
  it('a policy with errorBoost false is never boosted', () => {
    const calculator = newCalculator();
    calculator.useSettings(() => ({ errorBoost: false }));
    run(calculator, normal, 60);
    expect(run(calculator, incident, 10).some((r) => boosted(r, 'GET'))).toBe(false);
  });

  it('the engine default off is overridden by a policy that sets the boost', () => {
    const calculator = newCalculator({ errorBoost: { enabled: false, targetErrorSamplesPerSecond: 1, maxSamplingProbability: 0.1, cooldownSeconds: 300 } });
    calculator.useSettings((_service, operation) => (operation === 'GET' ? { errorBoost: { targetErrorSamplesPerSecond: 2 } } : undefined));
    run(calculator, normal, 60);
    const [first] = run(calculator, incident, 1);
    expect(erroredSampled(first, incident, 'GET')).toBeCloseTo(2, 5);
  });

  it('caps the boost at its maxSamplingProbability and cools down for its cooldown', () => {
    const calculator = newCalculator();
    calculator.useSettings(() => ({ errorBoost: { targetErrorSamplesPerSecond: 50, maxSamplingProbability: 0.05, cooldownSeconds: 20 } }));
    run(calculator, normal, 60);
    const during = run(calculator, incident, 5);
    expect(during[0].probabilities.GET).toBe(0.05);
    const after = run(calculator, normal, 60 / SECONDS);
    expect(boosted(after[after.length - 1], 'GET')).toBe(false);
  });

  it('jaeger ignores errors: the same counts with and without errors give the same rates', () => {
    const withErrors = new JaegerCalculator({ ...JaegerOptions() });
    const without = new JaegerCalculator({ ...JaegerOptions() });
    for (let i = 0; i < 20; i++) {
      const load = i < 10 ? normal : incident;
      withErrors.addBucket(bucket('S', load));
      const b = bucket('S', load);
      for (const t of b.throughput.get('S')?.values() ?? []) delete t.errors;
      without.addBucket(b);
      expect(withErrors.calculate().probabilities).toEqual(without.calculate().probabilities);
    }
  });
});

describe('error boost: a new leader', () => {
  it('leaves a restored baseline to the newest bucket alone, however many history buckets are folded before it', async () => {
    const old = newCalculator();
    run(old, { GET: [500, 0.01], PUT: [500, 0.01] }, 60);
    // A second service with an operation the history never shows keeps its columns restored.
    run(old, { GET: [500, 0.01], GONE: [50, 0.01] }, 60, 'T');
    const restored = { probabilities: { ...old.calculate().probabilities }, inputs: old.lastInputs() };
    const slicer = { due: () => true, yield: () => Promise.resolve() };
    const history = [1, 2, 3, 4].map(() => ({
      intervalSeconds: SECONDS,
      throughput: new Map([...bucket('S', { GET: [500, 0.3], PUT: [500, 0.3] }).throughput, ...bucket('T', { GET: [500, 0.3] }).throughput]),
    }));
    const newest = () => ({
      intervalSeconds: SECONDS,
      throughput: new Map([...bucket('S', { GET: [500, 0.01], PUT: [500, 0.05] }).throughput, ...bucket('T', { GET: [500, 0.01], GONE: [50, 0.01] }).throughput]),
    });

    const folded = newCalculator();
    folded.restore(restored.probabilities, { inputs: restored.inputs, elapsedSeconds: 0 });
    for (const b of history) await folded.foldHistory(b, slicer);
    folded.addBucket(newest());
    folded.calculate();
    const only = newCalculator();
    only.restore(restored.probabilities, { inputs: restored.inputs, elapsedSeconds: 0 });
    only.addBucket(newest());
    only.calculate();

    const errors = (calculator: typeof only, service: string, operation: string) => calculator.lastInputs()[service][operation].errors;
    for (const [service, operation] of [['S', 'GET'], ['S', 'PUT'], ['T', 'GET'], ['T', 'GONE']]) {
      expect(errors(folded, service, operation)).toEqual(errors(only, service, operation));
    }
    // Not a state that nothing moves: the newest bucket's errors are in it.
    expect(errors(only, 'S', 'PUT')?.errorRate).toBeGreaterThan(2 * (restored.inputs.S.PUT.errors?.errorRate ?? 1));
  });

  it('continues a boost from the inputs the last calculation recorded', () => {
    const old = newCalculator();
    run(old, normal, 60);
    run(old, incident, 5);
    const probabilities = { S: { GET: old.calculate().probabilities.S?.GET ?? 0 } };
    const inputs = old.lastInputs();
    const leader = newCalculator();
    leader.restore(probabilities, { inputs, elapsedSeconds: SECONDS });
    // The new leader loads a short history that is all incident, then sees errors fall back.
    for (let i = 0; i < 5; i++) leader.addBucket(bucket('S', incident));
    leader.addBucket(bucket('S', normal));
    const { probabilities: first } = leader.calculate();
    const round = { probabilities: first.S, inputs: leader.lastInputs().S };
    expect(boosted(round, 'GET')).toBe(true);
    // The baseline learnt a little from the incident, but not again from the history loaded.
    expect(round.inputs.GET.errors?.baselineErrorRate).toBeLessThan(0.03);
    expect(first.S.GET).toBeCloseTo(1 / 100, 3);
  });

  it.each([
    ['in its cooldown', 10],
    ['during the incident', 0],
  ])('continues a boost %s as the leader before would have, on a lower but anomalous bucket', (_case, calmBuckets) => {
    const old = newCalculator();
    run(old, normal, 60);
    run(old, incident, 10);
    const before = run(old, normal, calmBuckets);
    const boost = (before[before.length - 1] ?? run(old, incident, 1)[0]).probabilities.GET;
    const leader = newCalculator();
    leader.restore({ S: { GET: boost } }, { inputs: old.lastInputs(), elapsedSeconds: 0 });
    // 8 % errors: anomalous against the baseline, and fewer errors/s than the incident's.
    const lower = { GET: [500, 0.08] as [number, number] };
    const [continued] = run(old, lower, 1);
    const [restored] = run(leader, lower, 1);
    expect(continued.probabilities.GET).toBeLessThanOrEqual(boost);
    expect(restored.probabilities.GET).toBeCloseTo(continued.probabilities.GET, 6);
  });

  it('without restored inputs a short history of the incident is its baseline: no boost', () => {
    const leader = newCalculator();
    for (let i = 0; i < 5; i++) leader.addBucket(bucket('S', incident));
    leader.calculate();
    expect(run(leader, incident, 1).some((r) => boosted(r, 'GET'))).toBe(false);
  });
});

function JaegerOptions() {
  return {
    targetSamplesPerSecond: 1,
    deltaTolerance: 0.3,
    calculationBuckets: 1,
    aggregationBuckets: 10,
    initialSamplingProbability: 0.001,
    minSamplingProbability: 0.00001,
    minSamplesPerSecond: 1 / 60,
    increaseCap: 1,
    maxOperations: 2000,
  };
}
