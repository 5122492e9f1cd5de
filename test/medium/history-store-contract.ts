import type { CalculationRecord, HistoryBounds, HistoryStore, ServicePoint } from '../../src/store/history-store';

export type MakeHistoryStore = (keyPrefix: string, bounds: HistoryBounds) => Promise<HistoryStore & { close?(): Promise<void> }>;

const BOUNDS: HistoryBounds = { points: 3, operations: 2, services: 10, retentionMs: 60_000 };

function point(at: number, requestsPerSecond = 10): ServicePoint {
  return {
    at,
    requestsPerSecond,
    sampledPerSecond: requestsPerSecond / 10,
    expectedSampledPerSecond: requestsPerSecond / 10,
    budgetTracesPerSecond: 5,
    operations: [{ operation: 'GET /a', probability: 0.1, requestsPerSecond, sampledPerSecond: requestsPerSecond / 10, errorRate: 0 }],
  };
}

function calculation(at: number): CalculationRecord {
  return { at, durationMs: 12.5, replica: 'r1', version: at, algorithm: 'samplane', services: 1, operations: 1 };
}

let prefixes = 0;

/** What every HistoryStore promises the recorder and the history endpoint. */
export function describeHistoryStoreContract(name: string, make: MakeHistoryStore): void {
  describe(`${name}: the HistoryStore contract`, () => {
    const opened: (HistoryStore & { close?(): Promise<void> })[] = [];
    let prefix: string;
    const open = async (bounds = BOUNDS): Promise<HistoryStore> => {
      const store = await make(prefix, bounds);
      opened.push(store);
      return store;
    };

    beforeEach(() => {
      prefixes += 1;
      prefix = `history-${process.pid}-${prefixes}:`;
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map(async (store) => store.close?.()));
    });

    it('starts empty', async () => {
      const store = await open();
      await expect(store.read('checkout')).resolves.toEqual([]);
      await expect(store.lastCalculation()).resolves.toBeNull();
    });

    it('returns a service’s points oldest first, exactly as written', async () => {
      const store = await open();
      await store.record(new Map([['checkout', point(1000, 10)], ['search', point(1000, 99)]]), calculation(1000));
      await store.record(new Map([['checkout', point(2000, 20)]]), calculation(2000));
      await expect(store.read('checkout')).resolves.toEqual([point(1000, 10), point(2000, 20)]);
      await expect(store.read('search')).resolves.toEqual([point(1000, 99)]);
      await expect(store.lastCalculation()).resolves.toEqual(calculation(2000));
    });

    it('keeps only the newest points of each service', async () => {
      const store = await open();
      for (let at = 1; at <= 5; at++) await store.record(new Map([['checkout', point(at * 1000, at)]]), calculation(at * 1000));
      const kept = await store.read('checkout');
      expect(kept.map((p) => p.at)).toEqual([3000, 4000, 5000]);
    });

    it('keeps names apart whatever characters they hold', async () => {
      const store = await open();
      const names = ['a:b', 'a', 'constructor', 'svc "quoted"', 'ü/ß'];
      await store.record(new Map(names.map((n, i) => [n, point(1000, i + 1)])), calculation(1000));
      for (const [i, n] of names.entries()) await expect(store.read(n)).resolves.toEqual([point(1000, i + 1)]);
      await expect(store.read('a:')).resolves.toEqual([]);
    });

    it('is shared by every store on the same key space', async () => {
      const writer = await open();
      const reader = await open();
      await writer.record(new Map([['checkout', point(1000)]]), calculation(1000));
      const shared = name.startsWith('Memory') ? writer : reader;
      await expect(shared.read('checkout')).resolves.toEqual([point(1000)]);
    });
  });
}
