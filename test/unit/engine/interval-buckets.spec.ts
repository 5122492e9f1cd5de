import { bucketOf, trafficOf } from '../../../src/engine/interval-buckets';
import { type IntervalCounts, addFields } from '../../../src/store/throughput-counts';

/** One service's interval: GET with 100 of its requests in the recent part, PUT with none. */
function interval(): IntervalCounts {
  const counts: IntervalCounts = new Map();
  addFields(counts, 'A', 'GET', 3, 300, 300, 30, 300, ['0.010000'], 0);
  addFields(counts, 'A', 'GET', 1, 100, 100, 10, 100, ['0.010000'], 100);
  addFields(counts, 'A', 'PUT', 2, 50, 0, 0, 50, ['0.040000']);
  return counts;
}

describe('interval counts as calculation buckets', () => {
  it('gives samplane request counts with errors, outcomes and the recent part’s requests', async () => {
    const bucket = await bucketOf(interval(), 10_000, 'requests');

    expect(bucket.intervalSeconds).toBe(10);
    expect(bucket.throughput.get('A')?.get('GET')).toMatchObject({ count: 400, exact: 400, errors: 40, outcomes: 400, recent: 100, probabilities: ['0.010000'] });
    expect(bucket.throughput.get('A')?.get('PUT')).toMatchObject({ count: 50, exact: 0, outcomes: 50, recent: 0, probabilities: ['0.040000'] });
  });

  it('gives Jaeger sampled counts as copies of their own, the interval left as it was', async () => {
    const counts = interval();
    const bucket = await bucketOf(counts, 10_000, 'sampled');

    expect(bucket.throughput.get('A')?.get('GET')).toEqual({ count: 4, probabilities: ['0.010000'] });
    expect(bucket.throughput.get('A')?.get('PUT')).toEqual({ count: 2, probabilities: ['0.040000'] });
    // A Jaeger bucket stays in its window for many calculations: it must not hold the interval.
    expect(bucket.throughput.get('A')).not.toBe(counts.get('A'));
    expect((await trafficOf(counts, 10)).A.toRecord().GET).toEqual({ requestsPerSecond: 40, sampledPerSecond: 0.4, errorsPerSecond: 4, errorRate: 0.1 });
  });
});
