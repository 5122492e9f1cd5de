import type { TimeSlicer } from '../../src/common/time-slicer';
import type { OperationInputs, SavedRows, SavedState } from '../../src/sampling/calculator';
import { InputColumns, inputRecords } from '../../src/sampling/input-columns';
import type { FoundState, NewProbabilities, SamplingStore, StateWanted } from '../../src/store/store';

/**
 * Makes a store whose keys start with `keyPrefix`. Two stores made with the same prefix share
 * their state (where the implementation can share at all); different prefixes never do.
 */
export type MakeStore = (keyPrefix: string) => Promise<SamplingStore>;

let prefixes = 0;

/**
 * What every SamplingStore promises its callers, whatever sits behind it. The engine and the
 * serving side are written against these promises only, so an implementation that passes this
 * suite can replace another without either side noticing.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: the SamplingStore contract`, () => {
    const opened: SamplingStore[] = [];
    let prefix: string;

    // A fresh prefix per test keeps tests independent on one shared Redis.
    const open = async (keyPrefix = prefix): Promise<SamplingStore> => {
      const store = await makeStore(keyPrefix);
      opened.push(store);
      return store;
    };

    beforeEach(() => {
      prefixes += 1;
      prefix = `contract-${process.pid}-${prefixes}:`;
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('starts empty: no snapshot and version 0', async () => {
      const store = await open();

      await expect(store.loadProbabilities()).resolves.toBeNull();
      await expect(store.probabilitiesVersion()).resolves.toBe(0);
    });

    it('returns a higher version on every save, starting at 1', async () => {
      const store = await open();

      const versions = [];
      for (let i = 0; i < 4; i++) versions.push(await store.saveProbabilities(snapshot(i)));

      expect(versions).toEqual([1, 2, 3, 4]);
      await expect(store.probabilitiesVersion()).resolves.toBe(4);
    });

    it('loads exactly what was saved last, under the version the save returned', async () => {
      const store = await open();
      await store.saveProbabilities(snapshot(1));
      const saved: NewProbabilities = {
        computedAt: 1_767_225_600_123,
        probabilities: {
          checkout: { 'GET /cart': 0.25, 'POST /pay': 1, '': 0 },
          'search-api': { query: 0.000123456789 },
          idle: {},
        },
        qps: { checkout: { 'GET /cart': 12.5, 'POST /pay': 0.2, '': 0 }, 'search-api': { query: 4000 } },
        fleetRequests: { checkout: 1250.5 },
        dataThrough: 1_767_225_590_000,
        summaries: {
          checkout: { operations: 3, requestsPerSecond: 1250.5, sampledPerSecond: 12.7, errorsPerSecond: 0.25, boosted: ['POST /pay'] },
          'search-api': { operations: 1, requestsPerSecond: 4000, sampledPerSecond: 0.5, errorsPerSecond: 0, boosted: [] },
        },
      };

      const version = await store.saveProbabilities(saved);

      await expect(store.loadProbabilities()).resolves.toEqual({ version, ...saved });
      await expect(store.probabilitiesVersion()).resolves.toBe(version);
    });

    it('saves and loads a snapshot larger than one round trip carries', async () => {
      const store = await open();
      const probabilities: Record<string, Record<string, number>> = {};
      const qps: Record<string, Record<string, number>> = {};
      // 40,000 operations: several MiB of names and numbers, so a save takes several round trips.
      for (let s = 0; s < 200; s++) {
        probabilities[`service-${s}`] = {};
        qps[`service-${s}`] = {};
        for (let o = 0; o < 200; o++) {
          probabilities[`service-${s}`][`GET /api/v1/resources/${o}/items?page=${s}`] = (s * 200 + o + 1) / 40_001;
          qps[`service-${s}`][`GET /api/v1/resources/${o}/items?page=${s}`] = s + o / 7;
        }
      }
      // One service larger than a stored value, its names mostly characters of 2 to 4 bytes in
      // UTF-8: wherever a value ends, it must not split one.
      probabilities['références'] = {};
      for (let o = 0; o < 8000; o++) probabilities['références'][`GET /café/€${o}/😀/ü`.repeat(2)] = 1 / (o + 1);
      const saved: NewProbabilities = { computedAt: 1_767_225_600_000, probabilities, qps };

      const version = await store.saveProbabilities(saved);

      await expect(store.loadProbabilities()).resolves.toEqual({ version, ...saved });
    });

    it('loads a whole snapshot while a newer one is saved and loaded beside it', async () => {
      const store = await open();
      const probabilities: Record<string, Record<string, number>> = {};
      for (let s = 0; s < 300; s++) probabilities[`service-${s}`] = { 'GET /': (s + 1) / 301 };
      const saved: NewProbabilities = { computedAt: 1_767_225_600_000, probabilities };
      const version = await store.saveProbabilities(saved);
      // A load that gives the event loop a turn of a few ms after every step, as a large
      // fleet's does; the engine's term start and the replica's sync share one store.
      const slow: TimeSlicer = { due: () => true, yield: () => new Promise((resolve) => setTimeout(resolve, 2)) };
      const loading = store.loadProbabilities(slow);

      await store.saveProbabilities({ computedAt: 1_767_225_610_000, probabilities: { 'service-0': { 'GET /': 0.5 } } });
      await expect(store.loadProbabilities()).resolves.toMatchObject({ probabilities: { 'service-0': { 'GET /': 0.5 } } });

      await expect(loading).resolves.toEqual({ version, ...saved });
    });

    it('keeps services named like object properties as data', async () => {
      const store = await open();
      const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      const probabilities = Object.fromEntries(names.map((name, i) => [name, { [name]: (i + 1) / 10 }]));
      const traffic = Object.fromEntries(
        names.map((name) => [name, { [name]: { requestsPerSecond: 1, sampledPerSecond: 0.1, errorRate: 0 } }]),
      );
      const version = await store.saveProbabilities({ computedAt: 5, probabilities, traffic });

      const loaded = await store.loadProbabilities();
      const explanations = await store.loadExplanations(names);
      expect(loaded?.version).toBe(version);
      for (const [i, name] of names.entries()) {
        expect([name, Object.getOwnPropertyDescriptor(loaded?.probabilities, name)?.value]).toEqual([name, { [name]: (i + 1) / 10 }]);
        expect([name, explanations.get(name)?.traffic]).toEqual([name, traffic[name]]);
      }
    });

    it('gives a new leader the last calculation’s inputs of every service, errors and boosts with them', async () => {
      const store = await open();
      const inputs: Record<string, Record<string, OperationInputs>> = {
        checkout: {
          'GET /cart': { previous: 0.25, target: 2, adaptive: true, withinTolerance: false, qps: 3.5, estimate: 'smoothed' },
          'POST /pay': {
            previous: 1,
            target: 2,
            adaptive: true,
            withinTolerance: true,
            errors: { errorRate: 0.2, errorsPerSecond: 4, baselineErrorRate: 0.01, baselineWeight: 30, boost: { probability: 1, targetErrorSamplesPerSecond: 2, maxSamplingProbability: 1, sinceAnomalySeconds: 0, remainingSeconds: 60, anomalous: true } },
          },
        },
        search: { query: { previous: 0.5, target: 1, adaptive: false, withinTolerance: true } },
      };
      // Traffic of an operation and a service the calculation had no inputs for: nothing to restore.
      const seen = { requestsPerSecond: 1, sampledPerSecond: 0.1, errorRate: 0 };
      const traffic = { checkout: { 'GET /cart': seen, 'GET /new': seen, 'POST /pay': seen }, quiet: { ping: seen } };
      await store.saveProbabilities({ computedAt: 5, probabilities: { checkout: { 'GET /cart': 0.3, 'POST /pay': 1 }, search: { query: 0.5 } }, inputs, traffic });

      expect(inputRecords(await store.loadInputs())).toEqual(inputs);
    });

    it('gives a new leader the last saved calculator state it accepts, a service at a time, read when saved', async () => {
      const store = await open();
      // Enough services for several round trips, each row distinct; NaN where a number is unset.
      const rowsOf = (service: number): SavedRows => ({
        ops: [`GET /${service}`, 'POST /pay', 'constructor'],
        numbers: Float64Array.from({ length: 3 * 4 }, (_, i) => (i === 5 ? Number.NaN : service * 100 + i / 7)),
        flags: Uint8Array.from({ length: 3 * 2 }, (_, i) => (service + i) % 6),
      });
      const services = ['__proto__', ...Array.from({ length: 300 }, (_, i) => `service-${i}`)];
      const rows = new Map(services.map((service, i) => [service, rowsOf(i)]));
      const probabilities: Record<string, Record<string, number>> = Object.fromEntries(services.map((service) => [service, { 'POST /pay': 0.5 }]));
      // A service without state (an inherited one) is served and has none.
      probabilities.inherited = { GET: 0.1 };
      const state: SavedState = { layout: 'test/1 4x2', buckets: 7, of: (service) => rows.get(service) };
      const version = await store.saveProbabilities({ computedAt: 7, dataThrough: 70, probabilities });
      await expect(store.saveState({ version, computedAt: 7, dataThrough: 70, services: Object.keys(probabilities), state })).resolves.toBe(true);
      // What the calculator's state became after the save is not what was saved.
      for (const saved of rows.values()) saved.numbers.fill(-1);

      const asked: FoundState[] = [];
      const taken = new Map<string, SavedRows>();
      const accepting: StateWanted = { layout: 'test/1 4x2', accepts: async (found) => (asked.push(found), true) };
      const found = { computedAt: 7, dataThrough: 70, buckets: 7 };
      await expect(store.loadState(accepting, (service, saved) => taken.set(service, saved))).resolves.toEqual(found);
      expect(asked).toEqual([found]);
      expect(new Set(taken.keys())).toEqual(new Set(services));
      services.forEach((service, i) => expect(taken.get(service)).toEqual(rowsOf(i)));
      // Another layout (a calculator of another version), or one the new leader does not accept: none, nothing taken.
      const none = jest.fn();
      await expect(store.loadState({ layout: 'test/2 5x2', accepts: () => true }, none)).resolves.toBeUndefined();
      await expect(store.loadState(at(6), none)).resolves.toBeUndefined();
      // A snapshot saved without its state (a leader that stopped before saving it) leaves the
      // last one saved, of the snapshot before, for a new leader that can bridge it.
      const next = await store.saveProbabilities({ computedAt: 8, dataThrough: 80, probabilities });
      await expect(store.loadState(at(8), none)).resolves.toBeUndefined();
      await expect(store.loadState(at(7), () => undefined)).resolves.toEqual(found);
      // The state of the snapshot before, saved late, is not kept: the newest is another's.
      await expect(store.saveState({ version, computedAt: 7, dataThrough: 70, services: ['service-1'], state })).resolves.toBe(false);
      expect(none).not.toHaveBeenCalled();
      // Its own, saved after it, replaces the last.
      await expect(store.saveState({ version: next, computedAt: 8, dataThrough: 80, services: ['service-2'], state })).resolves.toBe(true);
      const replaced = new Map<string, SavedRows>();
      await expect(store.loadState(at(8), (service, saved) => replaced.set(service, saved))).resolves.toEqual({ computedAt: 8, dataThrough: 80, buckets: 7 });
      expect([...replaced.keys()]).toEqual(['service-2']);
      await expect(store.loadState(at(7), none)).resolves.toBeUndefined();
      expect(none).not.toHaveBeenCalled();
    });

    it('has no saved state before any save', async () => {
      const store = await open();
      await expect(store.loadState({ layout: 'test/1 4x2', accepts: () => true }, () => undefined)).resolves.toBeUndefined();
    });

    it('stores the QPS a calculation hands as input columns as plain numbers by operation', async () => {
      const store = await open();
      const columns = InputColumns.fromRecord({
        'GET /cart': { previous: 0.25, target: 2, adaptive: true, withinTolerance: false, qps: 3.5 },
        'POST /pay': { previous: 1, target: 2, adaptive: false, withinTolerance: true, qps: 0 },
      });
      const probabilities = { checkout: { 'GET /cart': 0.3, 'POST /pay': 1 }, search: { query: 0.5 } };
      await store.saveProbabilities({ computedAt: 5, probabilities, qps: { checkout: columns, search: { query: 7.25 } }, inputs: { checkout: columns } });

      const loaded = await store.loadProbabilities();
      expect(loaded?.qps).toEqual({ checkout: { 'GET /cart': 3.5, 'POST /pay': 0 }, search: { query: 7.25 } });
    });

    it('is not affected by the caller changing its objects after a save or a load', async () => {
      const store = await open();
      const saved = snapshot(7);
      const expected = structuredClone(saved);
      await store.saveProbabilities(saved);

      saved.probabilities.checkout['GET /cart'] = 0.9;
      saved.probabilities.intruder = { op: 1 };
      saved.computedAt = 0;
      const loaded = await store.loadProbabilities();
      // A store may hand out copies, or its own objects frozen: either way nothing reaches it.
      try {
        loaded!.probabilities.checkout['GET /cart'] = 0.8;
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
      }
      loaded!.probabilities.intruder = { op: 1 };
      loaded!.version = 99;

      await expect(store.loadProbabilities()).resolves.toEqual({ version: 1, ...expected });
    });

    it('keeps stores with different key prefixes apart', async () => {
      const first = await open(`${prefix}first:`);
      const second = await open(`${prefix}second:`);

      await first.saveProbabilities(snapshot(1));
      await first.saveProbabilities(snapshot(2));

      await expect(second.loadProbabilities()).resolves.toBeNull();
      await expect(second.probabilitiesVersion()).resolves.toBe(0);
      await expect(second.saveProbabilities(snapshot(3))).resolves.toBe(1);
      await expect(first.loadProbabilities()).resolves.toEqual({ version: 2, ...snapshot(2) });
      await expect(second.loadProbabilities()).resolves.toEqual({ version: 1, ...snapshot(3) });
    });

    it('gives concurrent saves distinct versions and keeps one of them whole', async () => {
      const store = await open();
      const writes = Array.from({ length: 20 }, (_, i) => snapshot(i));

      const versions = await Promise.all(writes.map((write) => store.saveProbabilities(write)));

      expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const loaded = await store.loadProbabilities();
      expect(loaded?.version).toBe(20);
      // Whichever save got the last version is the one whose data is stored: never a mix.
      expect(loaded).toEqual({ version: 20, ...writes[versions.indexOf(20)] });
    });

    it('answers ping', async () => {
      const store = await open();

      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

/** A new leader that accepts only the state saved after the snapshot computed at `computedAt`. */
export function at(computedAt: number, layout = 'test/1 4x2'): StateWanted {
  return { layout, accepts: (found) => found.computedAt === computedAt };
}

/** A distinct, recognisable snapshot per seed. */
export function snapshot(seed: number): NewProbabilities {
  return {
    computedAt: 1_767_225_600_000 + seed * 60_000,
    probabilities: {
      checkout: { 'GET /cart': round(0.5 / (seed + 1)), 'POST /pay': 1 },
      [`service-${seed}`]: { work: round(1 / (seed + 2)) },
    },
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
