import { JAEGER_DEFAULTS } from '../../../src/sampling/adaptive-options';
import { PackedBucket } from '../../../src/sampling/packed-bucket';
import { SamplaneCalculator } from '../../../src/sampling/samplane/samplane-calculator';
import { NO_PROBABILITIES, type OperationThroughput, type ThroughputBucket } from '../../../src/sampling/throughput';

describe('a packed bucket', () => {
  it('gives back every operation as it was, absent fields resolved as the calculators read them', () => {
    const cart = { count: 400, exact: 380, errors: 4, outcomes: 390, recent: 90, probabilities: ['0.010000'] };
    const bucket: ThroughputBucket = {
      intervalSeconds: 10,
      recentSeconds: 2,
      throughput: new Map([
        [
          'checkout',
          new Map<string, OperationThroughput>([
            ['GET /cart', cart],
            ['POST /pay', { count: 7.5, probabilities: ['0.500000', '1.000000'] }],
          ]),
        ],
        ['idle', new Map()],
      ]),
    };

    const packed = PackedBucket.of(bucket);

    expect(packed.size).toBe(2);
    expect(packed.unpacked()).toEqual({
      intervalSeconds: 10,
      recentSeconds: 2,
      throughput: new Map([
        [
          'checkout',
          new Map<string, OperationThroughput>([
            ['GET /cart', cart],
            // Unknown exactness stays unknown; no outcomes means all of them, no errors none.
            ['POST /pay', { count: 7.5, errors: 0, outcomes: 7.5, recent: 0, probabilities: ['0.500000', '1.000000'] }],
          ]),
        ],
        ['idle', new Map()],
      ]),
    });
    // The lists are the bucket's own (never changed in place), not copies.
    expect(packed.services.get('checkout')?.lists[1]).toBe(bucket.throughput.get('checkout')?.get('POST /pay')?.probabilities);
  });

  it('is folded by samplane as the bucket it came from, a new leader’s history queued before one calculation', () => {
    // Steady requests, then a step late in the newest bucket with a burst of errors: the
    // estimates, the recent part and the error state all count.
    const history = [1, 2, 3, 4].map(
      (k): ThroughputBucket => ({
        intervalSeconds: 10,
        recentSeconds: 3,
        throughput: new Map([
          [
            'checkout',
            new Map<string, OperationThroughput>([
              ['GET /cart', { count: k === 4 ? 10_000 : 1_000, exact: k === 4 ? 10_000 : 1_000, errors: k === 4 ? 300 : 2, outcomes: 1_000, recent: k === 4 ? 9_100 : 300, probabilities: ['0.010000'] }],
              ['POST /pay', { count: 40 + k, probabilities: ['1.000000'] }],
            ]),
          ],
          ['search', new Map(k === 2 ? [] : [['query', { count: 5_000, probabilities: ['0.001000', '0.002000'] }]])],
        ]),
      }),
    );
    const asMaps = new SamplaneCalculator({ ...JAEGER_DEFAULTS, maxOperations: 100 });
    const packed = new SamplaneCalculator({ ...JAEGER_DEFAULTS, maxOperations: 100 });

    for (const bucket of history) {
      asMaps.addBucket(bucket);
      packed.addBucket(PackedBucket.of(bucket));
    }

    const expected = asMaps.calculate();
    expect(expected.probabilities.checkout['GET /cart']).toBeGreaterThan(0);
    expect(packed.calculate()).toEqual(expected);
    expect(packed.lastInputs()).toEqual(asMaps.lastInputs());
  });

  it('is folded by samplane from each list’s lowest probability alone: without its lists it calculates the same', () => {
    // Counts scaled up from sampled spans (none exact): the lowest probability they were
    // sampled at bounds how noisy each is, the one in effect (the initial 0.001) or a lower
    // one reported; the last bucket's rise is a step at 0.001, noise at 0.0001.
    const history = (probabilities: string[]) =>
      [1_000, 1_000, 1_000, 20_000].map(
        (count): ThroughputBucket => ({
          intervalSeconds: 10,
          throughput: new Map([['checkout', new Map<string, OperationThroughput>([['GET /cart', { count, probabilities }]])]]),
        }),
      );
    const calculated = (buckets: Array<ThroughputBucket | PackedBucket>) => {
      const calculator = new SamplaneCalculator({ ...JAEGER_DEFAULTS, maxOperations: 100 });
      for (const bucket of buckets) calculator.addBucket(bucket);
      return { result: calculator.calculate(), inputs: calculator.lastInputs() };
    };
    const withoutLists = (bucket: PackedBucket) =>
      PackedBucket.from(
        new Map([...bucket.services].map(([service, { ops, values }]) => [service, { ops, values, lists: ops.map(() => NO_PROBABILITIES) }])),
        bucket.intervalSeconds,
        bucket.recentSeconds,
      );

    const low = history(['0.500000', '0.000100']);
    const expected = calculated(low);

    expect(calculated(low.map((bucket) => withoutLists(PackedBucket.of(bucket))))).toEqual(expected);
    expect(calculated(history(['0.500000']))).not.toEqual(expected);
  });

  it('is folded by samplane alike whether a new leader’s history is queued or folded as it is read', async () => {
    // Steady traffic, an operation that goes quiet and one that appears, then a step: every
    // history bucket is folded before the newest (the catch-up), queued or at once.
    const history = [1, 2, 3, 4, 5].map(
      (k): ThroughputBucket => ({
        intervalSeconds: 10,
        ...(k === 5 && { recentSeconds: 3 }),
        throughput: new Map([
          [
            'checkout',
            new Map<string, OperationThroughput>([
              ['GET /cart', { count: k === 5 ? 9_000 : 1_000 + 10 * k, errors: k === 4 ? 90 : 2, outcomes: 1_000, recent: k === 5 ? 8_000 : 0, probabilities: ['0.010000'] }],
              ...(k <= 2 ? [['DELETE /cart', { count: 200, probabilities: ['0.100000'] }] as const] : []),
              ...(k >= 3 ? [['POST /pay', { count: 40 + k, probabilities: ['1.000000'] }] as const] : []),
            ]),
          ],
          // Absent altogether from one bucket: its operations are idle there all the same.
          ...(k === 2 ? [] : [['search', new Map([['query', { count: 5_000, probabilities: ['0.001000', '0.002000'] }]])] as const]),
        ]),
      }),
    );
    const make = () => {
      const calculator = new SamplaneCalculator({ ...JAEGER_DEFAULTS, maxOperations: 100 });
      calculator.restore({ checkout: { 'GET /cart': 0.004, 'POST /pay': 0.5 } });
      return calculator;
    };
    const queued = make();
    const folded = make();
    const foldedPacked = make();
    const slicer = { due: () => true, yield: () => Promise.resolve() };

    for (const bucket of history.slice(0, 4)) {
      queued.addBucket(bucket);
      await folded.foldHistory(bucket, slicer);
      await foldedPacked.foldHistory(PackedBucket.of(bucket), slicer);
    }
    for (const calculator of [queued, folded, foldedPacked]) calculator.addBucket(history[4]);

    const expected = queued.calculate();
    expect(expected.probabilities.checkout['POST /pay']).toBeGreaterThan(0);
    expect(folded.calculate()).toEqual(expected);
    expect(foldedPacked.calculate()).toEqual(expected);
    expect(folded.lastInputs()).toEqual(queued.lastInputs());
    expect(foldedPacked.lastInputs()).toEqual(queued.lastInputs());
  });

  it('folds a full history whole, where queued its oldest bucket gave way to the calculation’s own', async () => {
    const bucket = (operations: string[]): ThroughputBucket => ({
      intervalSeconds: 10,
      throughput: new Map([['checkout', new Map(operations.map((op): [string, OperationThroughput] => [op, { count: 100, probabilities: ['0.010000'] }]))]]),
    });
    const options = { ...JAEGER_DEFAULTS, aggregationBuckets: 3, maxOperations: 100 };
    const queued = new SamplaneCalculator(options);
    const folded = new SamplaneCalculator(options);
    const slicer = { due: () => false, yield: () => Promise.resolve() };

    for (const history of [bucket(['OLD', 'GET']), bucket(['GET']), bucket(['GET'])]) {
      queued.addBucket(history);
      await folded.foldHistory(history, slicer);
    }
    queued.addBucket(bucket(['GET']));
    folded.addBucket(bucket(['GET']));

    expect(Object.keys(queued.calculate().probabilities.checkout)).toEqual(['GET']);
    expect(Object.keys(folded.calculate().probabilities.checkout).sort()).toEqual(['GET', 'OLD']);
  });
});
