import pino from 'pino';
import {
  EngineReplica,
  INTERVAL_MS,
  LEASE_MS,
  OPERATION,
  SERVICE,
  SharedState,
  StallableThroughput,
  engineConfig,
  steadyTraffic,
} from './support/engine-replicas';
import { catchUpMs } from '../../../src/store/store-sizing';
import { SAVED_ROW } from '../../../src/sampling/samplane/operation-state';
import { SamplaneCalculator } from '../../../src/sampling/samplane/samplane-calculator';

/** Probability of the test operation in a saved snapshot. */
const probabilityIn = (snapshot: { probabilities: Record<string, Record<string, number>> }) =>
  snapshot.probabilities[SERVICE]?.[OPERATION];

describe('engine leadership on the memory store, driven by a manual clock', () => {
  let shared: SharedState;

  beforeEach(() => {
    shared = new SharedState();
  });

  it('makes a lone replica leader, which computes from the counts its ingest flushed', async () => {
    const replica = new EngineReplica('a', shared).start();
    steadyTraffic(replica, 100);

    await shared.clock.advance(3.5 * INTERVAL_MS);

    expect(replica.leads).toBe(true);
    const last = shared.store.saves.at(-1)!;
    expect(last.holder).toBe('a');
    // 100 requests/s aimed at 1 sampled trace/s.
    expect(last.snapshot.traffic?.[SERVICE]?.[OPERATION]?.requestsPerSecond).toBeCloseTo(100);
    expect(probabilityIn(last.snapshot)).toBeCloseTo(0.01);
    const { traffic, inputs, ...served } = last.snapshot;
    await expect(shared.store.loadProbabilities()).resolves.toEqual({ ...served, version: last.version });
    expect((await shared.store.loadExplanations(['shop'])).get('shop')).toEqual({ traffic: traffic?.shop, inputs: inputs?.shop });
  });

  it('serves no QPS for a service under the operation cap: the explanation records it', async () => {
    const replica = new EngineReplica('a', shared).start();
    steadyTraffic(replica, 100);

    await shared.clock.advance(3.5 * INTERVAL_MS);

    const last = shared.store.saves.at(-1)!;
    expect(last.snapshot.qps).toEqual({});
    // 100 requests/s sampled at 0.01 (the clients' probability): 1 sampled trace/s.
    expect(last.snapshot.inputs?.[SERVICE]?.[OPERATION]?.qps).toBeCloseTo(1);
    expect((await shared.store.loadExplanations([SERVICE])).get(SERVICE)?.inputs[OPERATION].qps).toBeCloseTo(1);
  });

  it('lets only one of two replicas compute; the other answers as a follower', async () => {
    const a = new EngineReplica('a', shared).start();
    const b = new EngineReplica('b', shared).start();
    steadyTraffic(a, 60);
    steadyTraffic(b, 40);

    await shared.clock.advance(3.5 * INTERVAL_MS);

    expect([a.leads, b.leads]).toEqual([true, false]);
    expect(shared.store.saves.length).toBeGreaterThanOrEqual(3);
    expect(new Set(shared.store.saves.map((save) => save.holder))).toEqual(new Set(['a']));
    await expect(b.calculation.tick()).resolves.toBe('follower');
    // The leader counts what both replicas' ingest received.
    const last = shared.store.saves.at(-1)!;
    expect(last.snapshot.traffic?.[SERVICE]?.[OPERATION]?.requestsPerSecond).toBeCloseTo(100);
  });

  it('hands leadership to the follower within a lease and a third of the leader dying, continuing from its probabilities', async () => {
    const a = new EngineReplica('a', shared).start();
    const b = new EngineReplica('b', shared).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(2.5 * INTERVAL_MS);
    const lastOfA = shared.store.saves.at(-1)!;
    expect(lastOfA.holder).toBe('a');
    const initial = shared.config.adaptive.initialSamplingProbability;
    expect(probabilityIn(lastOfA.snapshot)).not.toBeCloseTo(initial);

    // Killed, not shut down: nothing is released, its lease has to lapse.
    a.clock.kill();
    const killedAt = shared.clock.now();
    await shared.clock.advance(LEASE_MS / 2);
    expect(b.leads).toBe(false);
    await shared.clock.advance(killedAt + LEASE_MS + LEASE_MS / 3 - shared.clock.now());
    expect(b.leads).toBe(true);

    await shared.clock.advance(2 * INTERVAL_MS);
    const ofB = shared.store.saves.filter((save) => save.holder === 'b');
    expect(ofB.length).toBeGreaterThanOrEqual(1);
    expect(ofB[0].token).toBeGreaterThan(lastOfA.token);
    expect(ofB[0].version).toBe(lastOfA.version + 1);
    // Its first calculation started from what A had computed, not from the initial probability.
    expect(ofB[0].snapshot.inputs?.[SERVICE]?.[OPERATION]?.previous).toBe(probabilityIn(lastOfA.snapshot));
    // A's ingest died with it: B's own 50 requests/s are all that is left.
    expect(probabilityIn(ofB.at(-1)!.snapshot)).toBeCloseTo(0.02);
  });

  /** A leads four calculations, B follows; both log (`loggedA`, `logged`); B's reads are recorded. */
  async function leaderWithLoggingFollower() {
    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    const loggedA: Array<Record<string, unknown>> = [];
    const loggerA = pino({ level: 'info' }, { write: (line: string) => loggedA.push(JSON.parse(line) as Record<string, unknown>) });
    const a = new EngineReplica('a', shared, undefined, loggerA).start();
    const reads = new StallableThroughput(shared.throughput);
    const b = new EngineReplica('b', shared, reads, logger).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(4.5 * INTERVAL_MS);
    return { a, b, reads, logged, loggedA, ofA: shared.store.saves.filter((save) => save.holder === 'a') };
  }

  it('gives a new leader the last one’s saved calculator state: it reads no kept interval, only the slots since, and goes on from it', async () => {
    const { a, reads, logged, loggedA, ofA } = await leaderWithLoggingFollower();
    const through = ofA.at(-1)!.snapshot.dataThrough;
    const loadInputs = jest.spyOn(shared.store, 'loadInputs');

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    const ofB = shared.store.saves.filter((save) => save.holder === 'b');
    expect(ofB.length).toBeGreaterThanOrEqual(1);
    const started = logged.filter((line) => line.msg === 'leader term started');
    expect(started).toEqual([expect.objectContaining({ state: 'restored', historyBuckets: 0 })]);
    // It counts the buckets A's term had taken in (its history, then one per calculation), as
    // it would have counted the history.
    const startedA = loggedA.find((line) => line.msg === 'leader term started');
    expect(started[0].stateBuckets).toBe((startedA?.historyBuckets as number) + ofA.length);
    expect(reads.readBounds.filter((read) => read.of === 'kept')).toEqual([]);
    expect(reads.readBounds[0]).toEqual({ of: 'slots', bounds: [through, expect.any(Number)] });
    // The state holds the error baselines and boosts too: the last inputs are not read.
    expect(loadInputs).not.toHaveBeenCalled();
    // Its first bucket (from before A died) is blended into A's estimate, not taken as a first
    // sight, as it would be with neither the state nor the history; then A's ingest is gone.
    const first = ofB[0].snapshot.inputs?.[SERVICE]?.[OPERATION];
    expect(first?.estimate).toBe('smoothed');
    expect(first?.requestRate).toBeCloseTo(100);
    expect(first?.previous).toBe(probabilityIn(ofA.at(-1)!.snapshot));
    expect(probabilityIn(ofB.at(-1)!.snapshot)).toBeCloseTo(0.02);
  });

  it('folds the kept history instead where the saved state cannot be read whole', async () => {
    const { a, reads, logged, ofA } = await leaderWithLoggingFollower();
    const loadInputs = jest.spyOn(shared.store, 'loadInputs');
    // What was saved taken up, and a service A never saw, then the read fails, as a chunk
    // superseded mid-read would fail it.
    const load = shared.store.loadState.bind(shared.store);
    shared.store.loadState = async (wanted, take) => {
      await load(wanted, take);
      take('ghost', { ops: ['GET /'], numbers: new Float64Array(SAVED_ROW.numbers).fill(1), flags: new Uint8Array(SAVED_ROW.flags) });
      throw new Error('redis: shard 7 of the snapshot changed while it was read');
    };

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    expect(logged.filter((line) => line.msg === 'leader term started')).toEqual([expect.objectContaining({ state: 'failed', historyBuckets: ofA.length })]);
    expect(logged.some((line) => line.msg === 'saved calculator state not restored: the kept history is folded instead')).toBe(true);
    expect(reads.readBounds.filter((read) => read.of === 'kept')).toHaveLength(ofA.length);
    // The fallback restores the error baselines from the last inputs, as a store without state does.
    expect(loadInputs).toHaveBeenCalledTimes(1);
    // What was taken up before the failure went with the calculator that took it.
    expect(shared.store.saves.filter((save) => save.holder === 'b').every((save) => !('ghost' in save.snapshot.probabilities))).toBe(true);
    const first = shared.store.saves.find((save) => save.holder === 'b')?.snapshot.inputs?.[SERVICE]?.[OPERATION];
    expect(first?.estimate).toBe('smoothed');
  });

  /** A's state saves fail from its fifth calculation on, as when Redis goes away between a snapshot and its state. */
  async function leaderWhoseLastStateIsLost() {
    const run = await leaderWithLoggingFollower();
    expect(await run.a.counter('samplane_calculator_state_saves_total', { outcome: 'saved' })).toBe(run.ofA.length);
    const saveState = shared.store.saveState.bind(shared.store);
    shared.store.saveState = () => Promise.reject(new Error('redis: Connection is closed.'));
    await shared.clock.advance(INTERVAL_MS);
    shared.store.saveState = saveState;
    const ofA = shared.store.saves.filter((save) => save.holder === 'a');
    expect(ofA).toHaveLength(run.ofA.length + 1);
    return { ...run, savedBefore: run.ofA, ofA };
  }

  it('serves a calculation whose state could not be saved; a new leader takes the state before up and folds the kept interval since', async () => {
    const { a, reads, logged, loggedA, savedBefore, ofA } = await leaderWhoseLastStateIsLost();
    expect(await a.counter('samplane_calculations_total', { outcome: 'computed' })).toBe(ofA.length);
    expect(await a.counter('samplane_calculator_state_saves_total', { outcome: 'failed' })).toBe(1);
    expect(loggedA.filter((line) => line.msg === 'calculator state not saved: a new leader would fold the kept intervals since the last one saved')).toHaveLength(1);

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    const startedA = loggedA.find((line) => line.msg === 'leader term started');
    const started = logged.filter((line) => line.msg === 'leader term started');
    expect(started).toEqual([expect.objectContaining({ state: 'restored', bridgedBuckets: 1, historyBuckets: 0 })]);
    expect(started[0].stateBuckets).toBe((startedA?.historyBuckets as number) + savedBefore.length);
    // Only the interval of A's last calculation, from where the saved state ends.
    const kept = reads.readBounds.filter((read) => read.of === 'kept');
    expect(kept.map((read) => read.bounds)).toEqual([[savedBefore.at(-1)!.snapshot.dataThrough, ofA.at(-1)!.snapshot.dataThrough]]);
    const first = shared.store.saves.find((save) => save.holder === 'b')?.snapshot.inputs?.[SERVICE]?.[OPERATION];
    expect(first?.estimate).toBe('smoothed');
    expect(first?.previous).toBe(probabilityIn(ofA.at(-1)!.snapshot));
  });

  it('folds the whole kept history where the kept intervals do not reach back to the saved state', async () => {
    const keepInterval = shared.throughput.keepInterval.bind(shared.throughput);
    let keeps = true;
    shared.throughput.keepInterval = (...args) => (keeps ? keepInterval(...args) : Promise.reject(new Error('redis: Connection is closed.')));
    const { a, reads, logged } = await (async () => {
      const run = await leaderWithLoggingFollower();
      // The interval of A's next calculation is not kept, nor is its state saved.
      keeps = false;
      const saveState = shared.store.saveState.bind(shared.store);
      shared.store.saveState = () => Promise.reject(new Error('redis: Connection is closed.'));
      await shared.clock.advance(INTERVAL_MS);
      keeps = true;
      shared.store.saveState = saveState;
      return run;
    })();

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    expect(logged.filter((line) => line.msg === 'leader term started')).toEqual([expect.objectContaining({ state: 'none' })]);
    expect(reads.readBounds.some((read) => read.of === 'slots')).toBe(true);
    expect(shared.store.saves.at(-1)?.holder).toBe('b');
  });

  it('gives a new leader the intervals the last one calculated, kept summed, as history, where it saved no state, and slots only for what is new', async () => {
    shared.store.savesState = false;
    const a = new EngineReplica('a', shared).start();
    const reads = new StallableThroughput(shared.throughput);
    const b = new EngineReplica('b', shared, reads).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(4.5 * INTERVAL_MS);
    const ofA = shared.store.saves.filter((save) => save.holder === 'a');
    expect(ofA.length).toBeGreaterThanOrEqual(3);
    const through = ofA.at(-1)!.snapshot.dataThrough;
    expect(reads.readBounds).toEqual([]);

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    expect(shared.store.saves.at(-1)?.holder).toBe('b');
    // A's calculations, one kept interval each, chained back from where its last one ended
    // and read (and folded) oldest first.
    const kept = reads.readBounds.filter((read) => read.of === 'kept');
    expect(kept.map((read) => read.bounds.at(-1))).toEqual(ofA.map((save) => save.snapshot.dataThrough));
    kept.slice(1).forEach((read, i) => expect(read.bounds[0]).toBe(kept[i].bounds.at(-1)));
    // Then the slots since, and nothing older.
    const slots = reads.readBounds.slice(kept.length);
    expect(slots.length).toBeGreaterThanOrEqual(1);
    expect(slots.every((read) => read.of === 'slots' && read.bounds[0] >= through!)).toBe(true);
    expect(slots[0].bounds[0]).toBe(through);
  });

  it('gives a Jaeger new leader the kept intervals as its window, read an interval at a time from the newest', async () => {
    shared = new SharedState(engineConfig({ ADAPTIVE_ALGORITHM: 'jaeger' }));
    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    const a = new EngineReplica('a', shared).start();
    const reads = new StallableThroughput(shared.throughput);
    const b = new EngineReplica('b', shared, reads, logger).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(4.5 * INTERVAL_MS);
    const ofA = shared.store.saves.filter((save) => save.holder === 'a');

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + INTERVAL_MS);

    const ofB = shared.store.saves.filter((save) => save.holder === 'b');
    expect(ofB.length).toBeGreaterThanOrEqual(1);
    // One kept interval per read, never the window at once: A's calculations, newest first.
    const kept = reads.readBounds.filter((read) => read.of === 'kept');
    expect(kept.every((read) => read.bounds.length === 2)).toBe(true);
    expect(kept.map((read) => read.bounds[1])).toEqual(ofA.map((save) => save.snapshot.dataThrough).reverse());
    expect(logged.find((line) => line.msg === 'leader term started')).toMatchObject({ historyBuckets: ofA.length, state: 'none' });
  });

  it('logs where a new leader’s time went before its first calculation: the snapshot, the last inputs, the history (where no state was saved)', async () => {
    const KEPT_READ_MS = 700;
    const slowKept = new (class extends StallableThroughput {
      override async readKeptInterval(...args: Parameters<StallableThroughput['readKeptInterval']>) {
        await new Promise<void>((resolve) => shared.clock.setTimeout(resolve, KEPT_READ_MS));
        return super.readKeptInterval(...args);
      }
    })(shared.throughput);
    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    shared.store.savesState = false;
    const a = new EngineReplica('a', shared).start();
    const b = new EngineReplica('b', shared, slowKept, logger).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(4.5 * INTERVAL_MS);
    // From now on the snapshot and the last inputs take a while to load too.
    const slowly = <T>(load: () => Promise<T>, ms: number) => async (): Promise<T> => {
      await new Promise<void>((resolve) => shared.clock.setTimeout(resolve, ms));
      return load();
    };
    shared.store.loadProbabilities = slowly(shared.store.loadProbabilities.bind(shared.store), 300);
    shared.store.loadInputs = slowly(shared.store.loadInputs.bind(shared.store), 500);

    a.clock.kill();
    await shared.clock.advance(LEASE_MS + 2 * INTERVAL_MS);

    const started = logged.filter((line) => line.msg === 'leader term started');
    expect(started).toHaveLength(1);
    const { historyBuckets, snapshotMs, inputsMs, stateMs, historyMs, state } = started[0];
    expect(state).toBe('none');
    expect(historyBuckets).toBeGreaterThanOrEqual(3);
    // The manual clock moves only where a load waits.
    expect({ snapshotMs, inputsMs, stateMs, historyMs }).toEqual({ snapshotMs: 300, inputsMs: 500, stateMs: 0, historyMs: KEPT_READ_MS * (historyBuckets as number) });
    expect(shared.store.saves.at(-1)?.holder).toBe('b');
  });

  it('serves the last snapshot’s probabilities of operations a new term has no counts for yet, beside those it computed', async () => {
    await shared.store.saveProbabilities({
      computedAt: shared.clock.now(),
      probabilities: { [SERVICE]: { [OPERATION]: 0.5, 'POST /pay': 0.3 }, billing: { charge: 0.7 } },
    });
    const a = new EngineReplica('a', shared).start();
    steadyTraffic(a, 100);

    await shared.clock.advance(3.5 * INTERVAL_MS);

    const saves = shared.store.saves;
    expect(saves.length).toBeGreaterThanOrEqual(2);
    for (const { snapshot } of saves) {
      expect(snapshot.probabilities[SERVICE]['POST /pay']).toBe(0.3);
      expect(snapshot.probabilities.billing).toEqual({ charge: 0.7 });
    }
    expect(probabilityIn(saves.at(-1)!.snapshot)).toBeCloseTo(0.01);
    // What was saved is what is loaded: nothing kept by reference and changed after.
    await expect(shared.store.loadProbabilities()).resolves.toMatchObject({ probabilities: saves.at(-1)!.snapshot.probabilities });
  });

  it('calculates all the same when the interval cannot be kept for the next leader', async () => {
    const unkept = new (class extends StallableThroughput {
      override keepInterval(): Promise<void> {
        return Promise.reject(new Error('READONLY You can not write against a read only replica.'));
      }
    })(shared.throughput);
    const a = new EngineReplica('a', shared, unkept).start();
    steadyTraffic(a, 50);

    await shared.clock.advance(3.5 * INTERVAL_MS);

    expect(shared.store.saves.length).toBeGreaterThanOrEqual(2);
    expect(shared.store.saves.at(-1)?.snapshot.traffic?.[SERVICE]?.[OPERATION]?.requestsPerSecond).toBeCloseTo(50);
    await expect(shared.throughput.keptIntervals()).resolves.toEqual([]);
  });

  /**
   * A leader's last save, then no replica for longer than a catch-up (but not so long that its
   * data is stale), then B starting on the shared state; `prepare` sees B's reads first.
   */
  async function newLeaderAfterLongGap(prepare: (reads: StallableThroughput) => void = () => undefined) {
    const a = new EngineReplica('a', shared).start();
    steadyTraffic(a, 50);
    await shared.clock.advance(2.5 * INTERVAL_MS);
    const through = shared.store.saves.at(-1)!.snapshot.dataThrough!;
    a.clock.kill();
    await shared.clock.advance(8 * INTERVAL_MS);
    const reads = new StallableThroughput(shared.throughput);
    prepare(reads);
    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
    const unread = jest.spyOn(SamplaneCalculator.prototype, 'unread');
    try {
      const b = new EngineReplica('b', shared, reads, logger).start();
      steadyTraffic(b, 50);
      await shared.clock.advance(LEASE_MS + 3 * INTERVAL_MS);
      return { b, through, reads, logged, unreadSeconds: unread.mock.calls.map(([seconds]) => seconds) };
    } finally {
      unread.mockRestore();
    }
  }

  it('reads no further back than a catch-up after a long gap (older slots have expired), going on from the last state all the same', async () => {
    const { b, through, reads, logged, unreadSeconds } = await newLeaderAfterLongGap();

    // The history folded instead would end where A's state does: the state is taken up, and
    // what expired unread is said.
    expect(logged.find((line) => line.msg === 'leader term started')).toMatchObject({ state: 'restored', historyBuckets: 0 });
    expect(reads.readBounds.filter((read) => read.of === 'kept')).toEqual([]);
    const slots = reads.readBounds.filter((read) => read.of === 'slots');
    const partial = logged.filter((line) => line.msg === 'interval read in part: its older counts expired unread');
    expect(partial).toEqual([expect.objectContaining({ lastChecked: through, from: slots[0].bounds[0], unreadMs: slots[0].bounds[0] - through })]);
    // The time not read still runs the boosts' cooldowns, once, and is counted for alerts.
    expect(unreadSeconds).toEqual([(slots[0].bounds[0] - through) / 1000]);
    expect(await b.counter('samplane_calculation_unread_seconds_total', {})).toBe((slots[0].bounds[0] - through) / 1000);
    const first = slots[0].bounds;
    const catchUp = catchUpMs(shared.config.adaptive);
    expect(first[0]).toBeGreaterThan(through);
    expect(first[1] - first[0]).toBeLessThanOrEqual(catchUp);
    expect(first[1] - first[0]).toBeGreaterThan(catchUp - shared.config.ingestFlushIntervalMs);
    // 50 requests/s read over what it read, not diluted over the whole gap.
    expect(shared.store.saves.at(-1)?.snapshot.traffic?.[SERVICE]?.[OPERATION]?.requestsPerSecond).toBeCloseTo(50);
  });

  it('ages the time a read skipped once, however many reads fail before one succeeds', async () => {
    let failures = 2;
    const { b, through, reads, unreadSeconds } = await newLeaderAfterLongGap((reads) => {
      const readInterval = reads.readInterval.bind(reads);
      reads.readInterval = (from, to, options) => (failures-- > 0 ? Promise.reject(new Error('redis: Command timed out')) : readInterval(from, to, options));
    });

    expect(await b.counter('samplane_calculations_total', { outcome: 'failed' })).toBe(2);
    const read = reads.readBounds.find((bounds) => bounds.of === 'slots')!.bounds;
    // Each failed tick skipped more of the gap; the seconds aged add up to the gap once.
    expect(unreadSeconds.length).toBeGreaterThan(1);
    expect(unreadSeconds.reduce((sum, seconds) => sum + seconds, 0)).toBeCloseTo((read[0] - through) / 1000);
    // Counted once, with the snapshot that read saved.
    expect(await b.counter('samplane_calculation_unread_seconds_total', {})).toBe((read[0] - through) / 1000);
    expect(shared.store.saves.at(-1)?.holder).toBe('b');
  });

  it('refuses the save of a leader whose lease went to another replica while it was calculating', async () => {
    const reads = new StallableThroughput(shared.throughput);
    const a = new EngineReplica('a', shared, reads).start();
    const b = new EngineReplica('b', shared).start();
    steadyTraffic(a, 50);
    steadyTraffic(b, 50);
    await shared.clock.advance(2.5 * INTERVAL_MS);
    const fenceOfA = a.elector.currentFence()!;
    const savesOfA = shared.store.saves.filter((save) => save.holder === 'a').length;
    expect(savesOfA).toBeGreaterThanOrEqual(1);

    // A calculation stalls on a read, and its process stops renewing the lease meanwhile.
    reads.hold();
    const stalled = a.calculation.tick();
    await shared.clock.settle();
    expect(reads.waiting).toBe(1);
    a.clock.kill();
    await shared.clock.advance(LEASE_MS + LEASE_MS / 3);
    expect(b.elector.currentFence()!.token).toBeGreaterThan(fenceOfA.token);
    const before = await shared.store.loadProbabilities();

    reads.release();

    await expect(stalled).resolves.toBe('fenced');
    expect(shared.store.saves.filter((save) => save.holder === 'a')).toHaveLength(savesOfA);
    await expect(shared.store.loadProbabilities()).resolves.toEqual(before);
  });
});
