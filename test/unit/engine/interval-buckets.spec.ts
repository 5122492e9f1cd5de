import { bucketOf, sumParts, trafficOf } from '../../../src/engine/interval-buckets';
import { type IntervalCounts, addFields } from '../../../src/store/throughput-counts';

/** One service's interval: GET seen in both parts, PUT only in the second. */
function parts(): IntervalCounts[] {
  const first: IntervalCounts = new Map();
  const second: IntervalCounts = new Map();
  addFields(first, 'A', 'GET', 3, 300, 300, 30, 300, ['0.010000']);
  addFields(second, 'A', 'GET', 1, 100, 100, 10, 100, ['0.010000']);
  addFields(second, 'A', 'PUT', 2, 50, 0, 0, 50, ['0.040000']);
  return [first, second];
}

describe('interval counts as calculation buckets', () => {
  it('gives samplane request counts with errors and outcomes, the recent part apart', async () => {
    const [first, second] = parts();
    const recent = await bucketOf(second, 2500, 'requests');
    const bucket = await bucketOf(await sumParts([first, second]), 10_000, 'requests');

    expect(bucket.intervalSeconds).toBe(10);
    expect(bucket.throughput.get('A')?.get('GET')).toMatchObject({ count: 400, exact: 400, errors: 40, outcomes: 400, probabilities: ['0.010000'] });
    expect(bucket.throughput.get('A')?.get('PUT')).toMatchObject({ count: 50, exact: 0, outcomes: 50, probabilities: ['0.040000'] });
    // Summing into the first part leaves the recent part's counts as they were.
    expect(recent.intervalSeconds).toBe(2.5);
    expect(recent.throughput.get('A')?.get('GET')).toMatchObject({ count: 100, errors: 10 });
  });

  it('gives Jaeger sampled counts as copies of their own, the interval left as it was', async () => {
    const [first, second] = parts();
    const summed = await sumParts([first, second]);
    const bucket = await bucketOf(summed, 10_000, 'sampled');

    expect(bucket.throughput.get('A')?.get('GET')).toEqual({ count: 4, probabilities: ['0.010000'] });
    expect(bucket.throughput.get('A')?.get('PUT')).toEqual({ count: 2, probabilities: ['0.040000'] });
    // A Jaeger bucket stays in its window for many calculations: it must not hold the interval.
    expect(bucket.throughput.get('A')).not.toBe(summed.get('A'));
    expect((await trafficOf(summed, 10)).A.GET).toEqual({ requestsPerSecond: 40, sampledPerSecond: 0.4, errorsPerSecond: 4, errorRate: 0.1 });
  });
});
