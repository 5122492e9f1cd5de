import { COUNT } from '../../src/store/packed-counts';
import { type IntervalCounts, addCounted, toCounted } from '../../src/store/throughput-counts';
import type { ThroughputStore } from '../../src/store/throughput-store';
import { AWKWARD_NAMES, BASE, RETENTION_MS, SLOT_MS, counted, normalise } from './throughput-store-fixtures';

/**
 * What a ThroughputStore promises a new leader (the intervals the last one kept) and the
 * calculation (how far every replica has flushed); part of `describeThroughputStoreContract`.
 */
export function describeKeptIntervalsAndWatermarks(open: (keyPrefix?: string) => Promise<ThroughputStore>, prefixOf: () => string): void {
  describe('kept intervals', () => {
    it('gives back an interval kept summed as it was read: every field, any name', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1_000, [
        ...AWKWARD_NAMES.map((name, i) => counted(name, name, i + 1, ['0.100000'])),
        { service: 'A', operation: 'GET', sampled: 3, requests: 1200.25, exact: 1000, errors: 2, outcomes: 600, probabilities: ['0.002500'] },
      ]);
      // Spread over the whole interval.
      await store.flush('replica-b', BASE + 2 * SLOT_MS, [{ ...counted('A', 'GET', 4, ['0.200000']), windowMs: 2 * SLOT_MS }]);
      const [counts] = await store.readIntervals([BASE, BASE + 2 * SLOT_MS]);

      await store.keepInterval(BASE, BASE + 2 * SLOT_MS, counts);
      const [kept] = await store.readKept([BASE, BASE + 2 * SLOT_MS]);

      expect(normalise(toCounted(kept))).toEqual(normalise(toCounted(counts)));
      expect(kept.get('A')?.get('GET')).toMatchObject({ sampled: 7, requests: 1240.25, exact: 1000, errors: 2, outcomes: 640 });
      await expect(store.keptIntervals()).resolves.toEqual([[BASE, BASE + 2 * SLOT_MS]]);
    });

    it('keeps an interval read without lists with each one\'s lowest probability as its list', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1, [counted('A', 'GET', 1, ['0.5', '0.25']), counted('A', 'PUT', 2)]);
      const counts = await store.readInterval(BASE, BASE + SLOT_MS, { lists: false });

      await store.keepInterval(BASE, BASE + SLOT_MS, counts);

      const [kept] = await store.readKept([BASE, BASE + SLOT_MS]);
      expect(normalise(toCounted(kept))).toEqual([counted('A', 'GET', 1, ['0.25']), counted('A', 'PUT', 2)]);
      const packed = await store.readKeptInterval(BASE, BASE + SLOT_MS, { lists: false });
      expect(packed.services.get('A')?.values[COUNT.lowest]).toBe(0.25);
    });

    it('reads several kept intervals in one go, each on its own, and one service alone when asked', async () => {
      const store = await open();
      const interval = (service: string, sampled: number): IntervalCounts => {
        const counts: IntervalCounts = new Map();
        addCounted(counts, counted(service, 'GET', sampled));
        addCounted(counts, counted('shared', 'GET', sampled));
        return counts;
      };
      await store.keepInterval(BASE, BASE + SLOT_MS, interval('A', 1));
      await store.keepInterval(BASE + SLOT_MS, BASE + 3 * SLOT_MS, interval('B', 2));

      const [first, second] = await store.readKept([BASE, BASE + SLOT_MS, BASE + 3 * SLOT_MS]);
      const [alone] = await store.readKept([BASE + SLOT_MS, BASE + 3 * SLOT_MS], { service: 'shared' });

      expect([...first.keys()].sort()).toEqual(['A', 'shared']);
      expect(second.get('B')?.get('GET')?.sampled).toBe(2);
      expect(second.get('shared')?.get('GET')?.sampled).toBe(2);
      expect([...alone.keys()]).toEqual(['shared']);
      // An interval that was not kept as such reads as nothing, even where kept ones overlap it.
      const [unkept] = await store.readKept([BASE, BASE + 3 * SLOT_MS]);
      expect(unkept.size).toBe(0);
      expect((await store.readKeptInterval(BASE, BASE + 3 * SLOT_MS)).size).toBe(0);
      // One interval packed, as a new leader folds it, reads the same counts.
      const packed = await store.readKeptInterval(BASE + SLOT_MS, BASE + 3 * SLOT_MS);
      expect([...packed.services.keys()].sort()).toEqual(['B', 'shared']);
      expect(packed.services.get('B')).toMatchObject({ ops: ['GET'] });
      expect(packed.services.get('B')?.values[COUNT.sampled]).toBe(2);
      const packedAlone = await store.readKeptInterval(BASE + SLOT_MS, BASE + 3 * SLOT_MS, { service: 'shared' });
      expect([...packedAlone.services.keys()]).toEqual(['shared']);
      expect(packedAlone.size).toBe(1);
      expect((await store.keptIntervals()).sort((a, b) => a[0] - b[0])).toEqual([
        [BASE, BASE + SLOT_MS],
        [BASE + SLOT_MS, BASE + 3 * SLOT_MS],
      ]);
    });

    it('does not keep an interval without counts (a history ends there)', async () => {
      const store = await open();

      await store.keepInterval(BASE, BASE + SLOT_MS, new Map());

      await expect(store.keptIntervals()).resolves.toEqual([]);
    });

    it('forgets intervals that ended longer ago than it keeps them', async () => {
      const store = await open();
      const counts: IntervalCounts = new Map();
      addCounted(counts, counted('A', 'GET', 1));
      const old = BASE - RETENTION_MS - 2 * SLOT_MS;

      await store.keepInterval(old, old + SLOT_MS, counts);
      await store.keepInterval(BASE, BASE + SLOT_MS, counts);

      await expect(store.keptIntervals()).resolves.toEqual([[BASE, BASE + SLOT_MS]]);
    });

    it('keeps stores with different key prefixes apart', async () => {
      const first = await open(`${prefixOf()}first:`);
      const second = await open(`${prefixOf()}second:`);
      const counts: IntervalCounts = new Map();
      addCounted(counts, counted('A', 'GET', 1));

      await first.keepInterval(BASE, BASE + SLOT_MS, counts);

      await expect(second.keptIntervals()).resolves.toEqual([]);
      expect((await second.readKept([BASE, BASE + SLOT_MS]))[0].size).toBe(0);
    });
  });

  describe('flush watermarks', () => {
    it('knows none before any replica flushed', async () => {
      const store = await open();

      await expect(store.flushedThrough(0)).resolves.toBeUndefined();
    });

    it('answers the lowest watermark among replicas that flushed since aliveSince', async () => {
      const store = await open();

      await store.flush('replica-a', BASE + 4_000, []);
      await store.flush('replica-b', BASE + 2_000, []);
      await store.flush('replica-c', BASE + 3_000, []);

      await expect(store.flushedThrough(BASE)).resolves.toBe(BASE + 2_000);
    });

    it("moves a replica's watermark to its latest flush", async () => {
      const store = await open();

      await store.flush('replica-a', BASE + 1_000, []);
      await store.flush('replica-b', BASE + 3_000, []);
      await store.flush('replica-a', BASE + 5_000, []);

      await expect(store.flushedThrough(BASE)).resolves.toBe(BASE + 3_000);
    });

    it('advances the watermark on an empty flush without recording any counts', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1_000, [counted('A', 'GET', 4)]);

      await store.flush('replica-a', BASE + SLOT_MS + 1_000, []);

      await expect(store.flushedThrough(BASE)).resolves.toBe(BASE + SLOT_MS + 1_000);
      await expect(store.read(BASE + SLOT_MS, BASE + 2 * SLOT_MS)).resolves.toEqual([]);
      await expect(store.read(BASE, BASE + SLOT_MS)).resolves.toEqual([counted('A', 'GET', 4)]);
    });

    it('stops waiting for replicas silent since aliveSince, and forgets them', async () => {
      const store = await open();
      await store.flush('gone', BASE + 1_000, []);
      await store.flush('alive-1', BASE + 6_000, []);
      await store.flush('alive-2', BASE + 8_000, []);

      await expect(store.flushedThrough(BASE + 5_000)).resolves.toBe(BASE + 6_000);
      // Forgotten, not just skipped: an older aliveSince does not bring it back.
      await expect(store.flushedThrough(0)).resolves.toBe(BASE + 6_000);
    });

    it('stops waiting for a replica that left, at once; it is back when it flushes again', async () => {
      const store = await open();
      await store.flush('leaving', BASE + 1_000, []);
      await store.flush('staying', BASE + 6_000, []);

      await store.leave('leaving');

      await expect(store.flushedThrough(0)).resolves.toBe(BASE + 6_000);
      await store.flush('leaving', BASE + 2_000, []);
      await expect(store.flushedThrough(0)).resolves.toBe(BASE + 2_000);
      // Leaving twice, or never having flushed, is no error.
      await store.leave('leaving');
      await store.leave('never-flushed');
      await expect(store.flushedThrough(0)).resolves.toBe(BASE + 6_000);
    });

    it('counts a replica whose watermark is exactly aliveSince as alive', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 5_000, []);
      await store.flush('replica-b', BASE + 9_000, []);

      await expect(store.flushedThrough(BASE + 5_000)).resolves.toBe(BASE + 5_000);
    });

    it('knows none once every replica has been silent since aliveSince', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1_000, []);
      await store.flush('replica-b', BASE + 2_000, []);

      await expect(store.flushedThrough(BASE + 3_000)).resolves.toBeUndefined();
      await expect(store.flushedThrough(0)).resolves.toBeUndefined();
    });

    it('takes a forgotten replica back when it flushes again', async () => {
      const store = await open();
      await store.flush('replica-a', BASE + 1_000, []);
      await store.flush('replica-b', BASE + 9_000, []);
      await expect(store.flushedThrough(BASE + 5_000)).resolves.toBe(BASE + 9_000);

      await store.flush('replica-a', BASE + 7_000, []);

      await expect(store.flushedThrough(BASE + 5_000)).resolves.toBe(BASE + 7_000);
    });

    it('handles replica names with any characters', async () => {
      const store = await open();
      for (const [i, replica] of AWKWARD_NAMES.entries()) await store.flush(replica, BASE + 1_000 * (i + 1), []);

      await expect(store.flushedThrough(BASE)).resolves.toBe(BASE + 1_000);
      await expect(store.flushedThrough(BASE + 1_001)).resolves.toBe(BASE + 2_000);
    });
  });
}
