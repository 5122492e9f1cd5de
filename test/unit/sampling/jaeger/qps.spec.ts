import { BucketHistory } from '../../../../src/sampling/jaeger/bucket-history';
import { bucketQps, weightedQps } from '../../../../src/sampling/jaeger/qps';
import { WeightVectorCache } from '../../../../src/sampling/jaeger/weights';
import type { ServiceThroughput, ThroughputBucket } from '../../../../src/sampling/throughput';

function bucket(counts: Record<string, Record<string, number>>, intervalSeconds = 60): ThroughputBucket {
  const throughput: ServiceThroughput = new Map();
  for (const [service, operations] of Object.entries(counts)) {
    throughput.set(
      service,
      new Map(Object.entries(operations).map(([op, count]) => [op, { count, probabilities: [] }])),
    );
  }
  return { throughput, intervalSeconds };
}

/** Every operation's QPS series over `buckets` (newest first), keeping up to `limit` values each. */
function operationQpsSeries(buckets: ThroughputBucket[], limit: number): Record<string, Record<string, number[]>> {
  const history = new BucketHistory(buckets.length);
  for (const b of [...buckets].reverse()) history.add(b);
  const slots = history.heldSlots();
  const series: Record<string, Record<string, number[]>> = {};
  for (const [service, rows] of history.services) {
    series[service] = Object.fromEntries(rows.names.map((name, row) => [name, history.qpsSeries(rows, row, slots, limit)]));
  }
  return series;
}

/** Jaeger's testThroughputBuckets, newest first. */
const B0 = bucket({ A: { GET: 45, PUT: 60 }, B: { GET: 30, PUT: 15 } });
const B1 = bucket({ A: { GET: 30 }, B: { GET: 45 } });

describe('QPS (scenario: Jaeger TestCalculateQPS, TestGenerateOperationQPS, TestCalculateWeightedQPS)', () => {
  it('is count per second of the bucket', () => {
    expect(bucketQps(90, 60)).toBe(1.5);
    expect(bucketQps(45, 60)).toBe(0.75);
  });

  it('collects each operation newest first, skipping buckets without it (calculation buckets 10)', () => {
    const buckets = [B0, B1];
    expect(operationQpsSeries(buckets, 10)).toEqual({
      A: { GET: [0.75, 0.5], PUT: [1] },
      B: { GET: [0.5, 0.75], PUT: [0.25] },
    });
    const newer = [bucket({ A: { GET: 30 } }), ...buckets];
    expect(operationQpsSeries(newer, 10)).toEqual({
      A: { GET: [0.5, 0.75, 0.5], PUT: [1] },
      B: { GET: [0.5, 0.75], PUT: [0.25] },
    });
  });

  it('with calculation buckets 1 keeps only the newest bucket that has the operation', () => {
    expect(operationQpsSeries([B0, B1], 1)).toEqual({
      A: { GET: [0.75], PUT: [1] },
      B: { GET: [0.5], PUT: [0.25] },
    });
    const newer = [bucket({ A: { GET: 30 } }), B0, B1];
    expect(operationQpsSeries(newer, 1)).toEqual({
      A: { GET: [0.5], PUT: [1] },
      B: { GET: [0.5], PUT: [0.25] },
    });
  });

  it('uses each bucket’s own length', () => {
    expect(operationQpsSeries([bucket({ A: { GET: 30 } }, 120), bucket({ A: { GET: 30 } }, 15)], 5)).toEqual({
      A: { GET: [0.25, 2] },
    });
  });

  it('weights the newest most: [0.8, 1.2, 1.0] → 85/98, [1, 1, 0, 0] → 337/354, [] → 0', () => {
    const weights = new WeightVectorCache();
    expect(weightedQps([0.8, 1.2, 1.0], weights)).toBeCloseTo(85 / 98, 14);
    expect(weightedQps([0.8, 1.2, 1.0], weights)).toBeCloseTo(0.86735, 4);
    expect(weightedQps([1, 1, 0, 0], weights)).toBeCloseTo(337 / 354, 14);
    expect(weightedQps([1, 1, 0, 0], weights)).toBeCloseTo(0.95197, 4);
    expect(weightedQps([], weights)).toBe(0);
  });
});
