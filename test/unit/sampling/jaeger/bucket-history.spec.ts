import { BucketHistory } from '../../../../src/sampling/jaeger/bucket-history';
import { JAEGER_DEFAULTS } from '../../../../src/sampling/adaptive-options';
import { JaegerCalculator } from '../../../../src/sampling/jaeger/jaeger-calculator';
import { PackedBucket } from '../../../../src/sampling/packed-bucket';
import type { ThroughputBucket } from '../../../../src/sampling/throughput';

function bucket(services: Record<string, Record<string, number>>, intervalSeconds = 60): ThroughputBucket {
  const throughput = new Map(
    Object.entries(services).map(([service, ops]) => [
      service,
      new Map(Object.entries(ops).map(([op, count]) => [op, { count, probabilities: [`p${count}`] }])),
    ]),
  );
  return { throughput, intervalSeconds };
}

/** Every held count of `service`, by operation, newest bucket first (NaN: absent). */
function counts(history: BucketHistory, service: string): Record<string, number[]> {
  const rows = history.services.get(service);
  if (!rows) return {};
  const slots = history.heldSlots();
  return Object.fromEntries(rows.names.map((name, row) => [name, slots.map((slot) => rows.countAt(row, slot))]));
}

describe('BucketHistory', () => {
  it('holds each operation once, with a count per held bucket, newest first', () => {
    const history = new BucketHistory(3);
    history.add(bucket({ A: { GET: 1, PUT: 2 } }));
    history.add(PackedBucket.of(bucket({ A: { PUT: 4, DELETE: 5 } }, 30)));
    expect(counts(history, 'A')).toEqual({ GET: [NaN, 1], PUT: [4, 2], DELETE: [5, NaN] });
    expect(history.heldSlots().map((slot) => history.intervalSeconds(slot))).toEqual([30, 60]);
  });

  it('keeps the newest `slots` buckets, the oldest overwritten, for services the new bucket lacks too', () => {
    const history = new BucketHistory(2);
    history.add(bucket({ A: { GET: 1 }, B: { GET: 7 } }));
    history.add(bucket({ A: { GET: 2 } }));
    history.add(bucket({ A: { GET: 3 } }));
    expect(history.held).toBe(2);
    expect(counts(history, 'A')).toEqual({ GET: [3, 2] });
    expect(counts(history, 'B')).toEqual({ GET: [NaN, NaN] });
  });

  it('drops the operations and services no held bucket counts, keeping the others in order', () => {
    const history = new BucketHistory(2);
    history.add(bucket({ A: { one: 1, two: 2, three: 3 }, B: { x: 1 } }));
    history.add(bucket({ A: { three: 6, one: 4 } }));
    history.add(bucket({ A: { one: 5 } }));
    history.prune();
    const slots = history.heldSlots();
    for (const rows of history.services.values()) rows.prune(slots);
    expect([...history.services.keys()]).toEqual(['A']);
    expect(counts(history, 'A')).toEqual({ one: [5, 4], three: [NaN, 6] });
    // A row moved by the pruning is still found by its name.
    history.add(bucket({ A: { three: 9 } }));
    expect(counts(history, 'A')).toEqual({ one: [NaN, 5], three: [9, NaN] });
  });

  it('knows the probability lists of the newest bucket only', () => {
    const history = new BucketHistory(3);
    history.add(bucket({ A: { GET: 1, PUT: 2 } }));
    const rows = history.services.get('A');
    expect(rows?.newestLists(0)).toEqual(['p1']);
    history.add(bucket({ A: { PUT: 3 } }));
    expect(rows?.newestLists(0)).toBeUndefined();
    expect(rows?.newestLists(1)).toEqual(['p3']);
  });

  it('grows a service past its first size without losing what its rows hold', () => {
    const history = new BucketHistory(2);
    history.add(bucket({ A: { op0: 0 } }));
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`op${i}`, i + 1]));
    history.add(bucket({ A: many }));
    const held = counts(history, 'A');
    expect(Object.keys(held)).toHaveLength(50);
    expect(held.op0).toEqual([1, 0]);
    expect(held.op49).toEqual([50, NaN]);
  });
});

describe('ServiceRows after a burst of names', () => {
  it('gives the room of a burst of names back once pruned, keeping the rows that remain', () => {
    const history = new BucketHistory(1);
    history.add(bucket({ A: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`op${i}`, i])) }));
    history.add(bucket({ A: { op7: 70, op999: 9990 } }));
    const rows = history.services.get('A');
    expect(rows?.capacity).toBeGreaterThanOrEqual(1000);
    rows?.prune(history.heldSlots());
    expect(rows?.capacity).toBeLessThan(100);
    expect(counts(history, 'A')).toEqual({ op7: [70], op999: [9990] });
    history.add(bucket({ A: { op999: 1, fresh: 2 } }));
    rows?.prune(history.heldSlots());
    expect(counts(history, 'A')).toEqual({ op999: [1], fresh: [2] });
  });
});

describe('JaegerCalculator over its bucket history', () => {
  it('keeps a service a held bucket names without operations, as an empty one', () => {
    const calculator = new JaegerCalculator({ ...JAEGER_DEFAULTS, aggregationBuckets: 2 });
    calculator.addBucket(bucket({ A: { GET: 3 } }));
    calculator.addBucket(bucket({ A: {} }));
    calculator.addBucket(bucket({ B: { GET: 60 } }));
    expect(calculator.calculate().probabilities).toEqual({ A: {}, B: { GET: 0.001 } });
    expect(Object.keys(calculator.lastInputs())).toEqual(['A', 'B']);
  });

  it('reads a restored probability only until it has calculated its own', () => {
    const calculator = new JaegerCalculator(JAEGER_DEFAULTS);
    calculator.addBucket(bucket({ A: { GET: 6 } }));
    expect(calculator.calculate().probabilities.A.GET).toBe(0.002);
    calculator.restore({ A: { GET: 0.05 } });
    calculator.addBucket({ throughput: new Map([['A', new Map([['GET', { count: 6, probabilities: ['0.050000'] }]])]]), intervalSeconds: 60 });
    // From the restored 0.05, not the 0.002 it had calculated: doubled (capped) to 0.1.
    expect(calculator.calculate().probabilities.A.GET).toBe(0.1);
    calculator.addBucket({ throughput: new Map([['A', new Map([['GET', { count: 6, probabilities: ['0.100000'] }]])]]), intervalSeconds: 60 });
    expect(calculator.calculate().probabilities.A.GET).toBe(0.2);
  });
});
