import { PackedBucket } from '../../../src/sampling/packed-bucket';
import type { OperationThroughput, ThroughputBucket } from '../../../src/sampling/throughput';

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
});
