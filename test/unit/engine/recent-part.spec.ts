import { loadConfig } from '../../../src/config/load-config';
import { recentPartLength } from '../../../src/sampling/throughput';
import { COUNT, COUNT_WIDTH, type PackedCounts } from '../../../src/store/packed-counts';
import type { PackedReadOptions } from '../../../src/store/throughput-store';
import { EngineReplica, FLUSH_MS, INTERVAL_MS, OPERATION, SERVICE, SharedState, StallableThroughput, steadyTraffic } from './support/engine-replicas';

interface Read {
  bounds: number[];
  options?: PackedReadOptions;
  counts: PackedCounts;
}

/** The shared store as the leader reads each calculation's interval, remembering each read. */
class RecordingThroughput extends StallableThroughput {
  readonly reads: Read[] = [];

  override async readInterval(from: number, to: number, options?: PackedReadOptions): Promise<PackedCounts> {
    const counts = await super.readInterval(from, to, options);
    this.reads.push({ bounds: [from, to], options, counts });
    return counts;
  }
}

/** The test operation's number in `column` of a read's counts. */
function counted(counts: PackedCounts, column: number): number {
  const service = counts.services.get(SERVICE);
  const row = service?.ops.indexOf(OPERATION) ?? -1;
  return service && row >= 0 ? service.values[row * COUNT_WIDTH + column] : 0;
}

function engine(algorithm: 'samplane' | 'jaeger'): { shared: SharedState; reads: Read[] } {
  const shared = new SharedState(
    loadConfig({
      ADAPTIVE_ALGORITHM: algorithm,
      ADAPTIVE_CALCULATION_INTERVAL: `${INTERVAL_MS}ms`,
      ADAPTIVE_DELAY: '2s',
      INGEST_FLUSH_INTERVAL: `${FLUSH_MS}ms`,
      LOG_LEVEL: 'silent',
    }),
  );
  const throughput = new RecordingThroughput(shared.throughput);
  const replica = new EngineReplica('a', shared, throughput).start();
  steadyTraffic(replica, 100);
  return { shared, reads: throughput.reads };
}

/**
 * `samplane` tells a rise that began early in an interval from one at its end by the interval's
 * recent part (its last quarter, in whole slots). The leader reads it with the interval, in the
 * same read, as a count per operation: no second set of counts for a large fleet.
 */
describe('the leader reading each interval with its recent part', () => {
  it('reads the last quarter of each samplane interval apart, in the same read', async () => {
    const { shared, reads } = engine('samplane');

    await shared.clock.advance(4.5 * INTERVAL_MS);

    // A term's history is read an interval at a time too, without a recent part (it is not the newest).
    const calculations = reads.filter((read) => read.options?.recentFrom !== undefined);
    expect(calculations.length).toBeGreaterThanOrEqual(3);
    for (const { bounds, options, counts } of calculations.slice(1)) {
      const [start, end] = bounds;
      const recentFrom = end - recentPartLength(end - start, FLUSH_MS);
      expect(options?.recentFrom).toBe(recentFrom);
      // 100 requests/s: the interval's and its recent part's, give or take a flush.
      expect(Math.abs(counted(counts, COUNT.requests) - (100 * (end - start)) / 1000)).toBeLessThanOrEqual(100);
      expect(Math.abs(counted(counts, COUNT.recent) - (100 * (end - recentFrom)) / 1000)).toBeLessThanOrEqual(100);
      expect(counted(counts, COUNT.recent)).toBeGreaterThan(0);
      // Each list as its lowest probability alone (the one the spans were sampled at), no list.
      expect(options?.lists).toBe(false);
      expect(counted(counts, COUNT.lowest)).toBe(0.01);
      expect(counts.services.get(SERVICE)?.lists[0]).toEqual([]);
    }
    expect(shared.store.saves.at(-1)?.snapshot.probabilities[SERVICE][OPERATION]).toBeCloseTo(0.01, 3);
  });

  it('does not count a recent part for jaeger, which does not read one', async () => {
    const { shared, reads } = engine('jaeger');

    await shared.clock.advance(4.5 * INTERVAL_MS);

    const calculations = reads.filter((read) => read.bounds.length === 2);
    expect(calculations.length).toBeGreaterThanOrEqual(3);
    for (const { options, counts } of calculations) {
      expect(options?.recentFrom).toBeUndefined();
      expect(counted(counts, COUNT.requests)).toBeGreaterThan(0);
      expect(counted(counts, COUNT.recent)).toBe(0);
      // Its adaptive check reads the lists themselves.
      expect(options?.lists).toBe(true);
      expect(counts.services.get(SERVICE)?.lists[0]).toEqual(['0.01']);
    }
  });
});
