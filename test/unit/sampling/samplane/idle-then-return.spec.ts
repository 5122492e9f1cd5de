import { SamplaneCalculator } from '../../../../src/sampling/samplane/samplane-calculator';
import { SAMPLANE_TUNING } from '../../../../src/sampling/samplane/samplane-options';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';
import { OPTIONS, bucket, settledAt, tick } from './fixtures';

/** A bucket whose counts were scaled up from spans sampled at `probability`. */
function bucketWith(counts: Record<string, Record<string, number>>, probability: string): ThroughputBucket {
  const b = bucket(counts);
  for (const operations of b.throughput.values()) for (const t of operations.values()) t.probabilities = [...t.probabilities, probability];
  return b;
}

// Scenario: a batch operation at 500 requests/s (p = 0.002) goes quiet for twenty minutes.
// Jaeger doubles a quiet operation's probability every interval and floods storage when the
// traffic returns; samplane keeps the last probability and corrects at the first busy bucket.
describe('samplane: idle, then traffic returns', () => {
  it('keeps the last probability while quiet, and says why', () => {
    const calculator = settledAt(500);
    for (let i = 0; i < 20; i++) {
      const { probabilities, qps } = tick(calculator, {});
      expect(probabilities.A.GET).toBeCloseTo(0.002, 12);
      expect(qps.A.GET).toBe(0);
    }
    expect(calculator.lastInputs().A.GET).toMatchObject({ estimate: 'idle', previous: 0.002, requestRate: 0 });
  });

  it('corrects at the first bucket back, from the kept probability (return at 1000/s on a boundary)', () => {
    const calculator = settledAt(500);
    for (let i = 0; i < 20; i++) tick(calculator, {});
    // 2 × 1000 − 500: a rise, extrapolated as any other.
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(1 / 1500, 12);
    expect(tick(calculator, { A: { GET: 60_000 } }).probabilities.A.GET).toBeCloseTo(0.001, 12);
  });

  it('undoes the rise of the half-empty bucket in which the traffic stopped', () => {
    const calculator = settledAt(500);
    // Stops after 30 s: looks like a halving and doubles p, until the silence that follows.
    expect(tick(calculator, { A: { GET: 15_000 } }).probabilities.A.GET).toBeCloseTo(0.004, 12);
    expect(tick(calculator, {}).probabilities.A.GET).toBeCloseTo(0.002, 12);
  });

  it('does not act on the half-full bucket in which the traffic resumes at its old rate', () => {
    const calculator = settledAt(500);
    for (let i = 0; i < 5; i++) tick(calculator, {});
    expect(tick(calculator, { A: { GET: 15_000 } }).probabilities.A.GET).toBeCloseTo(0.002, 12);
    expect(calculator.lastInputs().A.GET.estimate).toBe('resumed');
    expect(tick(calculator, { A: { GET: 30_000 } }).probabilities.A.GET).toBeCloseTo(0.002, 12);
  });

  it('forgets an operation quiet for longer than the retention, which then restarts from scratch', () => {
    const calculator = settledAt(500);
    for (let i = 0; i < SAMPLANE_TUNING.idleRetentionBuckets; i++) tick(calculator, {});
    expect(calculator.calculate().probabilities.A?.GET).toBeCloseTo(0.002, 12);
    expect(tick(calculator, {}).probabilities.A).toBeUndefined();
  });
});

// Scenario: an OTLP-only service (counts scaled up from sampled spans) with an operation of
// 0.3 requests/s served the initial 0.001: a sampled span every hour or so. A bucket without
// one is what such traffic looks like, not a pause, so the operation keeps being adapted.
describe('samplane: sparse sampled spans are not a pause', () => {
  it('counts a bucket without spans as zero while so few were expected, and pauses once many were', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    // One span at p = 0.001 stands for 1000 requests.
    calculator.addBucket(bucketWith({ A: { GET: 1000 } }, '0.001000'));
    calculator.calculate();
    const sparse = tick(calculator, {});
    expect(calculator.lastInputs().A.GET.estimate).toBe('smoothed');
    expect(sparse.probabilities.A.GET).toBeGreaterThan(0.001);

    // Exactly counted, 500 requests/s: 30,000 expected in a bucket, none is news.
    const busy = settledAt(500);
    tick(busy, {});
    expect(busy.lastInputs().A.GET.estimate).toBe('idle');
  });
});

// Scenario: the same operation with a 2 s calculation interval. Counts arrive in deliveries
// (spans exported every 5 s, reports every 10 s), so a 2 s bucket without any is no news yet.
describe('samplane: idle with short buckets', () => {
  it('waits for the next delivery before taking silence as a stop, and then undoes the rise', () => {
    const calculator = new SamplaneCalculator(OPTIONS);
    for (let i = 0; i < 30; i++) tick(calculator, { A: { GET: 1000 } }, 2);
    expect(tick(calculator, { A: { GET: 1000 } }, 2).probabilities.A.GET).toBeCloseTo(0.002, 12);
    // Stops halfway through a bucket: looks like a halving and doubles p.
    expect(tick(calculator, { A: { GET: 500 } }, 2).probabilities.A.GET).toBeCloseTo(0.004, 12);
    for (let waited = 2; waited <= 12; waited += 2) {
      expect(tick(calculator, {}, 2).probabilities.A.GET).toBeCloseTo(0.004, 12);
      expect(calculator.lastInputs().A.GET).toMatchObject({ estimate: 'awaiting', withinTolerance: true });
    }
    expect(tick(calculator, {}, 2).probabilities.A.GET).toBeCloseTo(0.002, 12);
    expect(calculator.lastInputs().A.GET.estimate).toBe('idle');
  });
});

/**
 * A 2 s bucket of exactly counted requests, service A, with its recent part (the last second)
 * as the engine reads it: `recent` requests of `counts` fell in that last second.
 */
function exactBucket(counts: Record<string, number>, recent: Record<string, number>, seconds = 2): ThroughputBucket {
  const operations = Object.entries(counts).map(([op, count]) => [op, { count, exact: count, recent: recent[op] ?? 0, probabilities: [] }] as const);
  return { intervalSeconds: seconds, recentSeconds: 1, throughput: new Map([['A', new Map(operations)]]) };
}

// Scenario: a leader starts with no probability stored for a service whose counts it already
// holds (its first calculation folds the loaded history too): POST at 100 requests/s goes from
// the initial 0.001 to 0.01, GET at 1000/s keeps 0.001. Then Redis fails over: the counts of the
// flushes that failed are lost, so the next bucket has requests only before the outage and an
// empty recent part, which reads as the traffic having stopped.
describe('samplane: silence right after the first adaptation', () => {
  function firstAdapted(): SamplaneCalculator {
    const calculator = new SamplaneCalculator(OPTIONS);
    calculator.addBucket(exactBucket({ GET: 2000, POST: 200 }, { GET: 1000, POST: 100 }));
    calculator.addBucket(exactBucket({ GET: 2000, POST: 200 }, { GET: 1000, POST: 100 }));
    const first = calculator.calculate().probabilities.A;
    expect(first.POST).toBeCloseTo(0.01, 12);
    expect(first.GET).toBeCloseTo(0.001, 12);
    return calculator;
  }

  it('keeps the adapted probability, never the initial one, when the next bucket ends empty', () => {
    const calculator = firstAdapted();
    calculator.addBucket(exactBucket({ GET: 1500, POST: 150 }, { GET: 0, POST: 0 }, 4));
    const afterOutage = calculator.calculate().probabilities.A;
    expect(calculator.lastInputs().A.POST.estimate).not.toBe('awaiting');
    expect(afterOutage.POST).toBeCloseTo(0.01, 12);
    expect(afterOutage.GET).toBeCloseTo(0.001, 12);
    // Counts flow again: no detour through the initial probability either.
    calculator.addBucket(exactBucket({ GET: 2000, POST: 200 }, { GET: 1000, POST: 100 }));
    expect(calculator.calculate().probabilities.A.POST).toBeCloseTo(0.01, 12);
  });

  it('keeps it too when the traffic really stops', () => {
    const calculator = firstAdapted();
    for (let i = 0; i < 8; i++) {
      calculator.addBucket({ intervalSeconds: 2, throughput: new Map() });
      expect(calculator.calculate().probabilities.A.POST).toBeCloseTo(0.01, 12);
    }
    expect(calculator.lastInputs().A.POST.estimate).toBe('idle');
  });
});
