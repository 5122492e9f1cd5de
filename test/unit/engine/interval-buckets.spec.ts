import { bucketOf, chainBack, feedHistory, packedBucketOf, readHistory, readPackedHistory, trafficOf } from '../../../src/engine/interval-buckets';
import { PACKED, PACKED_WIDTH, PackedBucket } from '../../../src/sampling/packed-bucket';
import type { ThroughputBucket } from '../../../src/sampling/throughput';
import { MemoryThroughputStore } from '../../../src/store/memory/memory-throughput.store';
import { COUNT, COUNT_WIDTH, PackedCounts } from '../../../src/store/packed-counts';
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
    expect((await trafficOf(packed(counts), 10)).A.toRecord().GET).toEqual({ requestsPerSecond: 40, sampledPerSecond: 0.4, errorsPerSecond: 4, errorRate: 0.1 });
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
    // Ten 10 s intervals ending at 100 s; the sixth has no counts at all (a gap), the others
    // flushes every 2 s, some spread over a 5 s window that crosses an interval's bound.
    for (let at = 2_000; at <= 100_000; at += 2_000) {
      if (at >= 50_000 && at < 60_000) continue;
      await store.flush('r', at, [record('GET', at / 1_000), record('PUT', 5, at % 10_000 === 2_000 && at > 62_000 ? 5_000 : undefined)]);
    }
    const read = { intervalMs: 10_000, buckets: 10, counts: 'requests' as const };

    // Told after each interval read is packed, not after the empty one that ends the history.
    const told: number[] = [];
    let reads = 0;
    const readInterval = store.readIntervals.bind(store);
    jest.spyOn(store, 'readIntervals').mockImplementation((bounds, options) => {
      reads++;
      return readInterval(bounds, options);
    });
    const packed = await readPackedHistory(store, 100_000, { ...read, afterInterval: () => told.push(reads) });
    jest.restoreAllMocks();
    const whole = await readHistory(store, 100_000, read);

    expect(told).toEqual([1, 2, 3, 4]);

    // Only the intervals after the gap, oldest first, with the same counts.
    expect(packed).toHaveLength(4);
    expect(packed.map((bucket) => bucket.unpacked())).toEqual(whole.map((bucket) => ({ ...bucket, throughput: unboxed(bucket.throughput) })));
  });
});

describe('a history from the intervals leaders kept', () => {
  it('chains intervals back from `through`, each ending where the next begins, up to a limit', () => {
    const kept: Array<[number, number]> = [[30, 40], [0, 10], [10, 20], [20, 30], [40, 55]];

    expect(chainBack(kept, 55, 10)).toEqual([0, 10, 20, 30, 40, 55]);
    expect(chainBack(kept, 55, 2)).toEqual([30, 40, 55]);
    expect(chainBack(kept, 30, 10)).toEqual([0, 10, 20, 30]);
  });

  it('stops at an interval nobody kept, and starts nowhere when none ends at `through`', () => {
    expect(chainBack([[0, 10], [20, 30], [30, 40]], 40, 10)).toEqual([20, 30, 40]);
    expect(chainBack([[0, 10]], 15, 10)).toEqual([15]);
    expect(chainBack([], 15, 10)).toEqual([15]);
  });

  it('takes, of two intervals kept with the same end (two leaders for a moment), the one the chain goes on from, else the longer', () => {
    expect(chainBack([[0, 10], [5, 20], [10, 20]], 20, 10)).toEqual([0, 10, 20]);
    expect(chainBack([[0, 10], [10, 20], [0, 20]], 20, 10)).toEqual([0, 10, 20]);
    expect(chainBack([[5, 20], [10, 20]], 20, 10)).toEqual([5, 20]);
  });

  it('reads no more intervals of slots than a catch-up holds: older ones have expired, in part or whole', async () => {
    const store = new MemoryThroughputStore(1_000, 3_600_000);
    for (let at = 1_000; at <= 600_000; at += 1_000) await store.flush('r', at, [{ service: 'A', operation: 'GET', sampled: 1, requests: 1, errors: 0, probabilities: [] }]);

    // A catch-up is two intervals, at least a minute.
    await expect(readHistory(store, 600_000, { intervalMs: 60_000, buckets: 10, counts: 'requests' })).resolves.toHaveLength(2);
    await expect(readHistory(store, 600_000, { intervalMs: 10_000, buckets: 10, counts: 'requests' })).resolves.toHaveLength(6);
    await expect(readHistory(store, 600_000, { intervalMs: 10_000, buckets: 3, counts: 'requests' })).resolves.toHaveLength(3);
  });

  it('reads kept intervals where they reach `through`, slots where they do not', async () => {
    const store = new MemoryThroughputStore(1_000, 600_000);
    for (let at = 1_000; at <= 40_000; at += 1_000) await store.flush('r', at, [{ service: 'A', operation: 'GET', sampled: 1, requests: 100, errors: 0, probabilities: [] }]);
    const read = { intervalMs: 10_000, buckets: 10, counts: 'requests' as const };
    // Kept from a read of the slots, then the slots of the last two intervals changed.
    for (const [from, to] of [[10_000, 20_000], [20_000, 30_000]]) {
      const [counts] = await store.readIntervals([from, to]);
      counts.get('A')!.get('GET')!.requests *= 2;
      await store.keepInterval(from, to, counts);
    }

    const kept = await readHistory(store, 30_000, read);
    const packed = await readPackedHistory(store, 30_000, read);
    const slots = await readHistory(store, 40_000, read);

    expect(kept.map((bucket) => bucket.throughput.get('A')?.get('GET')?.count)).toEqual([2_000, 2_000]);
    expect(packed.map((bucket) => bucket.unpacked().throughput.get('A')?.get('GET')?.count)).toEqual([2_000, 2_000]);
    // Nothing kept ends at 40 s: ten intervals of slots back from there, up to the gap before 1 s.
    expect(slots.map((bucket) => bucket.throughput.get('A')?.get('GET')?.count)).toEqual([900, 1_000, 1_000, 1_000]);
  });

  it('feeds a folding calculator kept intervals oldest first, each taken in before the next is read', async () => {
    const store = new MemoryThroughputStore(1_000, 600_000);
    for (let at = 1_000; at <= 40_000; at += 1_000) await store.flush('r', at, [{ service: 'A', operation: 'GET', sampled: 1, requests: at / 1_000, errors: 0, probabilities: [] }]);
    for (const [from, to] of [[0, 10_000], [10_000, 20_000], [20_000, 30_000]]) await store.keepInterval(from, to, (await store.readIntervals([from, to]))[0]);
    const read = { intervalMs: 10_000, buckets: 10, counts: 'requests' as const };
    const events: string[] = [];
    const readKept = store.readKeptInterval.bind(store);
    jest.spyOn(store, 'readKeptInterval').mockImplementation((from, to, options) => {
      events.push(`read ${from}-${to}`);
      return readKept(from, to, options);
    });

    const given = await feedHistory(store, 30_000, { ...read, afterInterval: () => events.push('collected') }, (bucket) => {
      events.push(`given ${bucket instanceof PackedBucket ? 'packed ' : ''}${countOf(bucket)}`);
      return Promise.resolve();
    });
    jest.restoreAllMocks();

    expect(given).toBe(3);
    // Requests 1–9 (the flush at 10 s starts the next interval), 10–19, 20–29.
    expect(events).toEqual([
      'read 0-10000',
      'given packed 45',
      'collected',
      'read 10000-20000',
      'given packed 145',
      'collected',
      'read 20000-30000',
      'given packed 245',
      'collected',
    ]);
  });

  it.each(['requests', 'sampled'] as const)('packs a kept interval as the bucket of objects read from it would be (%s)', async (kind) => {
    const store = new MemoryThroughputStore(1_000, 600_000);
    const counts = interval();
    addFields(counts, 'B', 'op "quoted"', 4, 40, 10, 1, 20, ['0.1', '0.2']);
    addFields(counts, 'B', 'op', 0.5, 5.25, 0, 0, 5.25, []);
    await store.keepInterval(0, 10_000, counts);

    const packed = await packedBucketOf(await store.readKeptInterval(0, 10_000), 10_000, kind);
    const [objects] = await store.readKept([0, 10_000]);

    const expected = await bucketOf(objects, 10_000, kind);
    if (packed instanceof PackedBucket) {
      expect(packed.size).toBe(4);
      expect(packed.unpacked()).toEqual(PackedBucket.of(expected).unpacked());
    } else {
      expect(packed).toEqual(expected);
    }
  });

  it('makes a bucket of requests from the counts as read, without a copy: the columns are the same', async () => {
    expect(PACKED).toEqual({ count: COUNT.requests, exact: COUNT.exact, errors: COUNT.errors, outcomes: COUNT.outcomes, recent: COUNT.recent, lowest: COUNT.lowest });
    expect(PACKED_WIDTH).toBe(COUNT_WIDTH);
    const counts = packed(interval());

    const bucket = (await packedBucketOf(counts, 10_000, 'requests')) as PackedBucket;

    for (const [service, { values }] of counts.services) expect(bucket.services.get(service)?.values).toBe(values);
  });

  it('packs an interval read with its recent part as the bucket of objects would be', async () => {
    const counts = interval();
    const bucket = await bucketOf(counts, 10_000, 'requests');
    bucket.recentSeconds = 2.5;

    const packedBucket = await packedBucketOf(packed(counts), 10_000, 'requests', 2.5);

    expect(packedBucket).toBeInstanceOf(PackedBucket);
    expect((packedBucket as PackedBucket).recentSeconds).toBe(2.5);
    expect((packedBucket as PackedBucket).unpacked()).toEqual(PackedBucket.of(bucket).unpacked());
  });

  it('feeds a history from slots packed, oldest first, when nothing kept reaches `through`', async () => {
    const store = new MemoryThroughputStore(1_000, 600_000);
    for (let at = 1_000; at <= 40_000; at += 1_000) await store.flush('r', at, [{ service: 'A', operation: 'GET', sampled: 1, requests: at / 1_000, errors: 0, probabilities: [] }]);
    const counts: string[] = [];

    const given = await feedHistory(store, 40_000, { intervalMs: 10_000, buckets: 10, counts: 'requests' }, (bucket) => {
      counts.push(`${bucket instanceof PackedBucket ? 'packed ' : ''}${countOf(bucket)}`);
      return Promise.resolve();
    });

    expect(given).toBe(4);
    expect(counts).toEqual(['packed 45', 'packed 145', 'packed 245', 'packed 345']);
  });
});

/** Interval counts as the packed counts the same lines would read as. */
function packed(counts: IntervalCounts): PackedCounts {
  const into = new PackedCounts();
  for (const [service, operations] of counts) {
    for (const [operation, c] of operations) into.add(service, operation, c.probabilities, [c.sampled, c.requests, c.exact, c.errors, c.outcomes, c.recent]);
  }
  return into;
}

/** The test operation's count in a bucket of either form. */
function countOf(bucket: ThroughputBucket | PackedBucket): number | undefined {
  return (bucket instanceof PackedBucket ? bucket.unpacked() : bucket).throughput.get('A')?.get('GET')?.count;
}

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
