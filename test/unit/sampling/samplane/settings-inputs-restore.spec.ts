import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { OPTIONS, bucket, settledAt, tick } from './fixtures';

// Operator settings, the recorded inputs and a change of leader. A.GET and A.PUT at 10
// requests/s each (600 per 60 s bucket), target 1 trace/s.
const counts = { A: { GET: 600, PUT: 600 } };

describe('samplane: operation settings', () => {
  it('uses an operation’s own target', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.useSettings((_service, operation) => (operation === 'GET' ? { targetSamplesPerSecond: 5 } : undefined));
    tick(calculator, counts);
    const { probabilities } = tick(calculator, counts);
    expect(probabilities.A.GET).toBeCloseTo(0.5, 12);
    expect(probabilities.A.PUT).toBeCloseTo(0.1, 12);
  });

  it('clamps into a policy’s [min, max]', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.useSettings((_service, operation) =>
      operation === 'GET' ? { minSamplingProbability: 0.4 } : { maxSamplingProbability: 0.05 },
    );
    tick(calculator, counts);
    const { probabilities } = tick(calculator, counts);
    expect(probabilities.A.GET).toBe(0.4);
    expect(probabilities.A.PUT).toBe(0.05);
  });

  it('never goes below the minimum probability', () => {
    const calculator = settledAt(1e9);
    expect(calculator.calculate().probabilities.A.GET).toBe(OPTIONS.minSamplingProbability);
  });
});

describe('samplane: inputs behind each probability', () => {
  it('records the previous probability, the target, the sampled rate it saw and the request rate', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    tick(calculator, counts);
    tick(calculator, counts);
    expect(calculator.lastInputs().A.GET).toEqual({
      previous: 0.05,
      target: 1,
      adaptive: true,
      withinTolerance: false,
      qps: 10 * 0.05,
      requestRate: 10,
      estimate: 'step',
      errors: { errorRate: 0, errorsPerSecond: 0, baselineErrorRate: 0, baselineWeight: expect.any(Number) as number },
    });
    tick(calculator, counts);
    expect(calculator.lastInputs().A.GET).toMatchObject({ previous: 0.1, withinTolerance: true, estimate: 'smoothed' });
  });
});

describe('samplane: restore', () => {
  it('continues from the restored probabilities: a right one is kept at the first calculation', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.restore({ A: { GET: 0.1 } });
    const { probabilities } = tick(calculator, counts);
    // GET is judged against the restored 0.1 (the first bucket’s 20/s, taken as if it began
    // mid-bucket, is outside the band, so it moves); PUT starts from the initial 0.001.
    expect(calculator.lastInputs().A.GET.previous).toBe(0.1);
    expect(calculator.lastInputs().A.PUT.previous).toBe(OPTIONS.initialSamplingProbability);
    expect(probabilities.A.GET).toBeCloseTo(0.05, 12);
    expect(tick(calculator, counts).probabilities.A.GET).toBeCloseTo(0.1, 12);
  });

  it('keeps the rate estimates across a restore (history folded before the first calculation)', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.restore({ A: { GET: 0.1, PUT: 0.1 } });
    // A new leader loads past buckets, then adds the newest, then calculates once.
    for (let i = 0; i < 4; i++) calculator.addBucket(bucket(counts));
    const { probabilities } = calculator.calculate();
    expect(probabilities.A).toEqual({ GET: 0.1, PUT: 0.1 });
  });

  it('never changes the probabilities it was given, though it reads them until every operation has its own', () => {
    const calculator = new SamplaneCalculator({ ...OPTIONS, maxOperations: 1 });
    const given = {
      A: Object.freeze({ GET: 0.1, PUT: 0.2, DEL: 0.3 }),
      B: Object.freeze({ GET: 0.4, POST: 0.5 }),
      C: Object.freeze({ GET: 0.6 }),
    };
    Object.freeze(given);
    calculator.restore(given);
    // Over the cap of 1, A.PUT and B.POST (the quieter) are forgotten within the calculation,
    // their restored values with them; A.DEL and C.GET, not seen yet, keep theirs.
    calculator.addBucket(bucket({ A: { GET: 6000, PUT: 60 }, B: { GET: 6000, POST: 60 } }));
    const { probabilities } = calculator.calculate();
    expect([Object.keys(probabilities.A), Object.keys(probabilities.B)]).toEqual([['GET'], ['GET']]);
    expect(calculator.lastInputs().A.GET.previous).toBe(0.1);
    expect(given).toEqual({ A: { GET: 0.1, PUT: 0.2, DEL: 0.3 }, B: { GET: 0.4, POST: 0.5 }, C: { GET: 0.6 } });
    // Seen later, A.DEL and C.GET start from what was restored; the forgotten from the initial value.
    tick(calculator, { A: { DEL: 600 }, C: { GET: 600 } });
    expect(calculator.lastInputs().A.DEL.previous).toBe(0.3);
    expect(calculator.lastInputs().C.GET.previous).toBe(0.6);
    tick(calculator, { A: { PUT: 6000 }, B: { POST: 6000 } });
    expect(calculator.lastInputs().A.PUT.previous).toBe(OPTIONS.initialSamplingProbability);
    expect(calculator.lastInputs().B.POST.previous).toBe(OPTIONS.initialSamplingProbability);
  });

  it('replaces the probabilities of operations it already holds: a restore is what is in effect', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    tick(calculator, counts);
    tick(calculator, counts);
    expect(calculator.lastInputs().A.PUT.previous).not.toBe(OPTIONS.initialSamplingProbability);
    // A restore that names GET sets its probability; one that leaves PUT out forgets PUT's.
    calculator.restore({ A: { GET: 0.3 } });
    tick(calculator, counts);
    expect(calculator.lastInputs().A.GET.previous).toBe(0.3);
    expect(calculator.lastInputs().A.PUT.previous).toBe(OPTIONS.initialSamplingProbability);
  });
});

describe('samplane: inputs as columns', () => {
  it('gives the same inputs as columns as it gives as objects, for every operation', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.useSettings((service) => (service === 'B' ? { budgetTracesPerSecond: 3 } : undefined));
    const both = { A: { GET: 600, PUT: 60 }, B: { GET: 6000, POST: 600 } };
    tick(calculator, both);
    tick(calculator, { A: { GET: 600 }, B: both.B });
    const columns = calculator.lastInputColumns();
    const objects = calculator.lastInputs();
    expect(Object.keys(columns).sort()).toEqual(['A', 'B']);
    for (const service of ['A', 'B']) expect(columns[service].toRecord()).toEqual(objects[service]);
    expect(objects.B.GET.budget).toBe(3);
    expect(objects.A.PUT.qps).toBeDefined();
    expect(objects.A.GET.budget).toBeUndefined();
  });

  it('hands out objects that stay as they were when the next calculation reuses the columns', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    tick(calculator, counts);
    const first = calculator.lastInputs();
    const firstPrevious = first.A.GET.previous;
    tick(calculator, counts);
    expect(first.A.GET.previous).toBe(firstPrevious);
    expect(calculator.lastInputs().A.GET.previous).not.toBe(firstPrevious);
  });
});
