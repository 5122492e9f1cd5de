import { bucketOf, readHistory, readPackedHistory, trafficOf } from '../../../src/engine/interval-buckets';
import { MemoryThroughputStore } from '../../../src/store/memory/memory-throughput.store';
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

  it('reads a history packed an interval at a time, as the one read gives it, up to a gap', async () => {
    const store = new MemoryThroughputStore(1_000, 600_000, 5_000);
    const record = (operation: string, requests: number, windowMs?: number) => ({
      service: 'A',
      operation,
      sampled: requests / 100,
      requests,
      errors: 1,
      exact: requests,
      probabilities: ['0.010000'],
      ...(windowMs && { windowMs }),
    });
    // Ten 10 s intervals ending at 100 s; the second has no counts at all (a gap), the others
    // flushes every 2 s, some spread over a 5 s window that crosses an interval's bound.
    for (let at = 2_000; at <= 100_000; at += 2_000) {
      if (at >= 10_000 && at < 20_000) continue;
      await store.flush('r', at, [record('GET', at / 1_000), record('PUT', 5, at % 10_000 === 2_000 && at > 22_000 ? 5_000 : undefined)]);
    }
    const read = { intervalMs: 10_000, buckets: 10, counts: 'requests' as const };

    const packed = await readPackedHistory(store, 100_000, read);
    const whole = await readHistory(store, 100_000, read);

    // Only the intervals after the gap, oldest first, with the same counts.
    expect(packed).toHaveLength(8);
    expect(packed.map((bucket) => bucket.unpacked())).toEqual(whole.map((bucket) => ({ ...bucket, throughput: unboxed(bucket.throughput) })));
  });
});

/** A bucket's operations as the plain fields a packed one gives back. */
function unboxed(throughput: Awaited<ReturnType<typeof bucketOf>>['throughput']) {
  return new Map(
    [...throughput].map(([service, operations]) => [
      service,
      new Map(
        [...operations].map(([op, t]) => [
          op,
          { count: t.count, exact: t.exact, errors: t.errors ?? 0, outcomes: t.outcomes ?? t.count, recent: t.recent ?? 0, probabilities: t.probabilities },
        ]),
      ),
    ]),
  );
}
