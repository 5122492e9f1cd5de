import { COUNT, COUNT_WIDTH } from '../../src/store/packed-counts';
import type { ThroughputStore } from '../../src/store/throughput-store';
import {
  AWKWARD_NAMES,
  BASE,
  MAX_WINDOW_MS,
  type MakeThroughputStore,
  RETENTION_MS,
  SLOT_MS,
  counted,
  normalise,
} from './throughput-store-fixtures';
import { describeKeptIntervalsAndWatermarks } from './throughput-store-kept-contract';

export * from './throughput-store-fixtures';

let prefixes = 0;

/**
 * What every ThroughputStore promises the flusher and the calculation. The leader trusts a
 * read to hold every replica's counts for exactly the slots asked for, and `flushedThrough` to
 * tell it how far that is safe; an implementation that passes this suite can replace another
 * without the engine noticing.
 */
export function describeThroughputStoreContract(name: string, makeStore: MakeThroughputStore): void {
  describe(`${name}: the ThroughputStore contract`, () => {
    const closers: (() => Promise<void>)[] = [];
    let prefix: string;

    const open = async (keyPrefix = prefix): Promise<ThroughputStore> => {
      const { store, close } = await makeStore({ keyPrefix, slotMs: SLOT_MS, retentionMs: RETENTION_MS, maxWindowMs: MAX_WINDOW_MS });
      closers.push(close);
      return store;
    };

    beforeEach(() => {
      prefixes += 1;
      prefix = `tp-contract-${process.pid}-${prefixes}:`;
    });

    afterEach(async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
    });

    it('reports the slot length it was made with', async () => {
      const store = await open();

      expect(store.slotMs).toBe(SLOT_MS);
    });

    it('reads nothing where nothing was flushed', async () => {
      const store = await open();

      await expect(store.read(BASE, BASE + 10 * SLOT_MS)).resolves.toEqual([]);
    });

    it("sums several replicas' counts in one slot and unions their probabilities (Jaeger's merging vector)", async () => {
      const store = await open();

      await store.flush('replica-a', BASE + 1_000, [
        counted('A', 'GET', 4, ['0.100000']),
        counted('A', 'PUT', 5, ['0.100000']),
      ]);
      await store.flush('replica-b', BASE + 2_000, [counted('A', 'GET', 4, ['0.200000'])]);
      await store.flush('replica-c', BASE + 3_000, [counted('B', 'GET', 3, ['0.100000'])]);

      expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([
        counted('A', 'GET', 8, ['0.100000', '0.200000']),
        counted('A', 'PUT', 5, ['0.100000']),
        counted('B', 'GET', 3, ['0.100000']),
      ]);
    });

    it('sums requests with fractions, and errors, alongside sampled counts', async () => {
      const store = await open();

      await store.flush('replica-a', BASE, [
        { service: 'A', operation: 'GET', sampled: 3, requests: 1200.25, errors: 2, probabilities: ['0.002500'] },
      ]);
      await store.flush('replica-b', BASE + 5_000, [
        { service: 'A', operation: 'GET', sampled: 1, requests: 1 / 3, errors: 0, probabilities: ['0.002500'] },
      ]);
      await store.flush('replica-a', BASE + SLOT_MS - 1, [
        { service: 'A', operation: 'GET', sampled: 0, requests: 0.5, errors: 7, probabilities: [] },
      ]);

      const [record, ...others] = await store.read(BASE, BASE + SLOT_MS);

      expect(others).toEqual([]);
      expect(record).toMatchObject({ service: 'A', operation: 'GET', sampled: 4, errors: 9, probabilities: ['0.002500'] });
      expect(record.requests).toBeCloseTo(1200.25 + 1 / 3 + 0.5, 9);
    });

    it('sums the requests counted exactly apart from those scaled up from sampled spans', async () => {
      const store = await open();

      await store.flush('replica-a', BASE, [
        { service: 'A', operation: 'GET', sampled: 3, requests: 1200, exact: 1200, errors: 0, probabilities: [] },
      ]);
      await store.flush('replica-b', BASE + 5_000, [
        { service: 'A', operation: 'GET', sampled: 2, requests: 800, errors: 0, probabilities: ['0.002500'] },
        { service: 'B', operation: 'GET', sampled: 1, requests: 400, errors: 0, probabilities: ['0.002500'] },
      ]);
      await store.flush('replica-c', BASE + 6_000, [
        { service: 'A', operation: 'GET', sampled: 1, requests: 300, exact: 300, errors: 0, probabilities: [] },
      ]);

      const records = normalise(await store.read(BASE, BASE + SLOT_MS));
      expect(records.map((r) => [r.service, r.requests, r.exact ?? 0])).toEqual([
        ['A', 2300, 1500],
        ['B', 400, 0],
      ]);
    });

    it('does not cap the union of probabilities across replicas', async () => {
      const store = await open();
      const ten = (start: number): string[] => Array.from({ length: 10 }, (_, i) => ((start + i) / 1000).toFixed(6));

      await store.flush('replica-a', BASE, [counted('A', 'GET', 1, ten(1))]);
      await store.flush('replica-b', BASE, [counted('A', 'GET', 1, ten(11))]);

      const [record] = await store.read(BASE, BASE + SLOT_MS);
      expect([...record.probabilities].sort()).toEqual([...ten(1), ...ten(11)].sort());
    });

    it('keeps operations whose counts are all zero, so the calculation still sees them', async () => {
      const store = await open();

      await store.flush('replica-a', BASE, [
        counted('A', 'lowerbound-only', 0, ['0.001000']),
        counted('A', 'nothing-at-all', 0, []),
        { service: 'A', operation: 'requests-only', sampled: 0, requests: 250, errors: 0, probabilities: [] },
      ]);

      expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([
        counted('A', 'lowerbound-only', 0, ['0.001000']),
        counted('A', 'nothing-at-all', 0, []),
        { service: 'A', operation: 'requests-only', sampled: 0, requests: 250, errors: 0, probabilities: [] },
      ]);
    });

    it('reads exactly the slots that start in [from, to)', async () => {
      const store = await open();
      // Each slot gets a distinct count, so the sum read names the slots it came from.
      await store.flush('replica-a', BASE - 1, [counted('A', 'GET', 1)]);
      await store.flush('replica-a', BASE, [counted('A', 'GET', 10)]);
      await store.flush('replica-a', BASE + SLOT_MS - 1, [counted('A', 'GET', 100)]);
      await store.flush('replica-a', BASE + SLOT_MS, [counted('A', 'GET', 1_000)]);
      await store.flush('replica-a', BASE + 2 * SLOT_MS + 5_000, [counted('A', 'GET', 10_000)]);

      const sampledIn = async (from: number, to: number): Promise<number> =>
        (await store.read(from, to)).reduce((sum, r) => sum + r.sampled, 0);

      await expect(sampledIn(BASE - SLOT_MS, BASE)).resolves.toBe(1);
      await expect(sampledIn(BASE, BASE + SLOT_MS)).resolves.toBe(110);
      await expect(sampledIn(BASE + SLOT_MS, BASE + 2 * SLOT_MS)).resolves.toBe(1_000);
      await expect(sampledIn(BASE, BASE + 3 * SLOT_MS)).resolves.toBe(11_110);
      await expect(sampledIn(BASE - SLOT_MS, BASE + 3 * SLOT_MS)).resolves.toBe(11_111);
      await expect(sampledIn(BASE + 3 * SLOT_MS, BASE + 10 * SLOT_MS)).resolves.toBe(0);
      await expect(store.read(BASE, BASE)).resolves.toEqual([]);
    });

    it('round-trips service and operation names whatever characters they hold', async () => {
      const store = await open();
      const records = AWKWARD_NAMES.flatMap((service, i) => [
        counted(service, AWKWARD_NAMES[(i + 1) % AWKWARD_NAMES.length], i + 1, [`0.${String(i).padStart(6, '0')}`]),
        counted('svc', service, 100 + i),
      ]);

      await store.flush('replica-a', BASE, records);

      expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual(normalise(records));
    });

    it('keeps names apart that would collide if joined with a separator', async () => {
      const store = await open();

      await store.flush('replica-a', BASE, [
        counted('a|b', 'c', 1),
        counted('a', 'b|c', 2),
        counted('a', '"b","c"', 4),
        counted('a","b', 'c', 8),
      ]);

      expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([
        counted('a', '"b","c"', 4),
        counted('a', 'b|c', 2),
        counted('a","b', 'c', 8),
        counted('a|b', 'c', 1),
      ]);
    });

    it('is not changed by the caller mutating what it flushed or what it read', async () => {
      const store = await open();
      const flushed = [counted('A', 'GET', 4, ['0.100000'])];
      await store.flush('replica-a', BASE, flushed);

      flushed[0].sampled = 99;
      flushed[0].probabilities.push('0.900000');
      const read = await store.read(BASE, BASE + SLOT_MS);
      read[0].sampled = 77;
      read[0].probabilities.push('0.800000');

      await expect(store.read(BASE, BASE + SLOT_MS)).resolves.toEqual([counted('A', 'GET', 4, ['0.100000'])]);
    });

    it('reads several intervals in one go, each slot counted in the interval it starts in', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1, [counted('A', 'GET', 1)]);
      await store.flush('replica-b', BASE + SLOT_MS + 1, [counted('A', 'GET', 2), counted('B', 'PUT', 7)]);
      await store.flush('replica-a', BASE + 3 * SLOT_MS, [counted('A', 'GET', 4)]);
      await store.flush('replica-a', BASE + 4 * SLOT_MS, [counted('A', 'GET', 99)]);

      const intervals = await store.readIntervals([BASE, BASE + SLOT_MS, BASE + 4 * SLOT_MS]);

      expect(intervals).toHaveLength(2);
      expect(intervals[0].get('A')?.get('GET')?.sampled).toBe(1);
      expect(intervals[0].has('B')).toBe(false);
      expect(intervals[1].get('A')?.get('GET')?.sampled).toBe(6);
      expect(intervals[1].get('B')?.get('PUT')?.sampled).toBe(7);
    });

    it('counts the requests of the last interval’s recent part apart, in the same read', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1, [counted('A', 'GET', 1)]);
      await store.flush('replica-b', BASE + 2 * SLOT_MS + 1, [counted('A', 'GET', 2)]);
      await store.flush('replica-a', BASE + 3 * SLOT_MS + 1, [counted('A', 'GET', 4), counted('B', 'PUT', 7)]);

      const [counts] = await store.readIntervals([BASE, BASE + 4 * SLOT_MS], { recentFrom: BASE + 3 * SLOT_MS });

      // Ten requests per sampled span (see `counted`): the recent part is the last slot's.
      expect(counts.get('A')?.get('GET')).toMatchObject({ sampled: 7, requests: 70, recent: 40 });
      expect(counts.get('B')?.get('PUT')).toMatchObject({ requests: 70, recent: 70 });
    });

    it('reads one interval packed, as a calculation does, with what readIntervals sums: windows spread, the recent part apart', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1, [counted('A', 'GET', 1)]);
      await store.flush('replica-b', BASE + 2 * SLOT_MS + 1, [counted('A', 'GET', 2), { ...counted('C', 'GET', 8), windowMs: 2 * SLOT_MS }]);
      await store.flush('replica-a', BASE + 3 * SLOT_MS + 1, [counted('A', 'GET', 4), counted('B', 'PUT', 7)]);
      const options = { recentFrom: BASE + 3 * SLOT_MS };

      const packed = await store.readInterval(BASE + SLOT_MS, BASE + 4 * SLOT_MS, options);
      const [objects] = await store.readIntervals([BASE + SLOT_MS, BASE + 4 * SLOT_MS], options);

      const a = packed.services.get('A');
      expect(a?.ops).toEqual(['GET']);
      // Sampled, requests, exact, errors, outcomes, the recent part; no probability reported.
      expect([...(a?.values.subarray(0, COUNT_WIDTH) ?? [])]).toEqual([6, 60, 0, 0, 60, 40, Infinity]);
      // Half of C's window lies before the interval.
      expect(packed.services.get('C')?.values[COUNT.sampled]).toBeCloseTo((8 * (SLOT_MS + 1)) / (2 * SLOT_MS), 9);
      expect(packed.size).toBe(3);
      const asObjects = new Map([...packed.services].map(([service, { ops, values }]) => [service, ops.map((op, row) => [op, values[row * COUNT_WIDTH + COUNT.requests], values[row * COUNT_WIDTH + COUNT.recent]])]));
      expect(asObjects).toEqual(new Map([...objects].map(([service, ops]) => [service, [...ops].map(([op, c]) => [op, c.requests, c.recent])])));
    });

    it('reads an interval packed without lists when asked, each as its lowest probability, the counts alike', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1, [counted('A', 'GET', 1, ['0.5', '0.25']), counted('A', 'PUT', 2), counted('B', 'GET', 1, ['0.1'])]);
      await store.flush('replica-b', BASE + SLOT_MS + 1, [counted('A', 'GET', 2, ['0.125']), counted('B', 'GET', 3, ['0.2'])]);
      const options = { recentFrom: BASE + SLOT_MS };

      for (const service of [undefined, 'A']) {
        const withLists = await store.readInterval(BASE, BASE + 2 * SLOT_MS, { ...options, service });
        const without = await store.readInterval(BASE, BASE + 2 * SLOT_MS, { ...options, service, lists: false });

        const a = without.services.get('A');
        expect(a?.ops).toEqual(withLists.services.get('A')?.ops);
        expect(a?.values).toEqual(withLists.services.get('A')?.values);
        expect(a?.lists.every((list) => list.length === 0)).toBe(true);
        const lowest = (op: string) => a?.values[(a?.ops.indexOf(op) ?? 0) * COUNT_WIDTH + COUNT.lowest];
        expect([lowest('GET'), lowest('PUT')]).toEqual([0.125, Infinity]);
        expect(without.services.get('B')?.values[COUNT.lowest]).toBe(service === undefined ? 0.1 : undefined);
      }
      // Lists are read again as soon as a read asks for them.
      const again = await store.readInterval(BASE, BASE + 2 * SLOT_MS, options);
      expect([...(again.services.get('A')?.lists[0] ?? [])].sort()).toEqual(['0.125', '0.25', '0.5']);
    });

    it('reads one service alone when asked', async () => {
      const store = await open();
      await store.flush('replica-a', BASE, AWKWARD_NAMES.map((name, i) => counted(name, 'GET', i + 1)));

      for (const [i, name] of AWKWARD_NAMES.entries()) {
        await expect(store.read(BASE, BASE + SLOT_MS, { service: name })).resolves.toEqual([counted(name, 'GET', i + 1)]);
      }
    });

    it("spreads a report's counts evenly over its window, back from the flush", async () => {
      const store = await open();
      // 2 slots of counts, flushed a quarter into the third: a quarter of the window is there.
      const drainedAt = BASE + 2 * SLOT_MS + SLOT_MS / 4;
      await store.flush('replica-a', drainedAt, [{ ...counted('A', 'GET', 80), windowMs: 2 * SLOT_MS }]);

      const intervals = await store.readIntervals([BASE, BASE + SLOT_MS, BASE + 2 * SLOT_MS, BASE + 3 * SLOT_MS]);

      expect(intervals.map((counts) => counts.get('A')?.get('GET')?.sampled ?? 0)).toEqual([30, 40, 10]);
      expect(intervals[0].get('A')?.get('GET')?.requests).toBeCloseTo(300, 9);
    });

    it('keeps stores with different key prefixes apart', async () => {
      const first = await open(`${prefix}first:`);
      const second = await open(`${prefix}second:`);

      await first.flush('replica-a', BASE, [counted('A', 'GET', 4)]);

      await expect(second.read(BASE, BASE + SLOT_MS)).resolves.toEqual([]);
      await expect(second.flushedThrough(0)).resolves.toBeUndefined();
      await expect(first.flushedThrough(0)).resolves.toBe(BASE);
    });

    describeKeptIntervalsAndWatermarks(open, () => prefix);
  });
}
