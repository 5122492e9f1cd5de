import { loadConfig } from '../../../src/config/load-config';
import { ProbabilitiesSync } from '../../../src/serving/probabilities-sync';
import { StrategyProvider } from '../../../src/serving/strategy-provider';
import type { ProbabilitiesSnapshot, SamplingStore } from '../../../src/store/store';
import type { AppLogger } from '../../../src/telemetry/logger';
import { MetricsService } from '../../../src/telemetry/metrics.service';

jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined }));

/** A store handing out the snapshots given, in turn: the sync's logic alone, without Redis. */
function storeOf(snapshots: ProbabilitiesSnapshot[]): SamplingStore {
  let at = -1;
  return {
    probabilitiesVersion: async () => snapshots[Math.min(at + 1, snapshots.length - 1)].version,
    loadProbabilities: async () => snapshots[Math.min(++at, snapshots.length - 1)],
    onReconnect: () => undefined,
  } as unknown as SamplingStore;
}

function setUp(snapshots: ProbabilitiesSnapshot[]) {
  const config = loadConfig({});
  const provider = new StrategyProvider(config, new MetricsService());
  const warn = jest.fn();
  const logger = { warn, info: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as AppLogger;
  return { provider, warn, sync: new ProbabilitiesSync(config, logger, storeOf(snapshots), provider) };
}

const rateOf = (provider: StrategyProvider, service: string, operation: string) => provider.lookup(service).rates.rateFor(operation);

describe('ProbabilitiesSync', () => {
  it('serves a snapshot without the values no SDK can use, and says how many it dropped', async () => {
    const { provider, warn, sync } = setUp([{ version: 1, computedAt: 1, probabilities: { checkout: { pay: 0.2, list: 1.5, ship: -0.1 }, cart: { add: 0.3 } } }]);

    await sync.sync();

    expect(rateOf(provider, 'checkout', 'pay')).toBe(0.2);
    const listed = provider.lookup('checkout').strategy.operationSampling?.perOperationStrategies.map((op) => op.operation);
    expect(listed).toEqual(['pay']);
    expect(rateOf(provider, 'cart', 'add')).toBe(0.3);
    expect(warn).toHaveBeenCalledWith({ dropped: 2, version: 1 }, 'dropped invalid probabilities');
  });

  it('checks again a frozen service that held an invalid value, at every version that hands it over', async () => {
    // A store's frozen shards go to every version whose content held: a valid one is checked
    // once, one with a bad value is cleaned at each version, never served as it is.
    const valid = Object.freeze({ pay: 0.2 });
    const invalid = Object.freeze({ list: 2 });
    const { provider, warn, sync } = setUp([
      { version: 1, computedAt: 1, probabilities: { checkout: valid, cart: invalid } },
      { version: 2, computedAt: 2, probabilities: { checkout: valid, cart: invalid } },
    ]);

    await sync.sync();
    await sync.sync();

    expect(provider.probabilitiesVersion).toBe(2);
    expect(rateOf(provider, 'checkout', 'pay')).toBe(0.2);
    expect(provider.lookup('cart').strategy.operationSampling?.perOperationStrategies ?? []).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenLastCalledWith({ dropped: 1, version: 2 }, 'dropped invalid probabilities');
  });

  it('runs again after a run under way when called meanwhile, so a version announced during it is not left for the next interval', async () => {
    // The store saves v2 after the running sync has read v1's version: the announcement's call must bring v2.
    let version = 1;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const snapshotOf = (v: number): ProbabilitiesSnapshot => ({ version: v, computedAt: v, probabilities: { checkout: { pay: v / 10 } } });
    const store = {
      probabilitiesVersion: async () => version,
      loadProbabilities: async () => {
        const loading = version;
        if (loading === 1) await gate;
        return snapshotOf(loading);
      },
      onReconnect: () => undefined,
    } as unknown as SamplingStore;
    const config = loadConfig({});
    const provider = new StrategyProvider(config, new MetricsService());
    const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as AppLogger;
    const sync = new ProbabilitiesSync(config, logger, store, provider);

    const first = sync.sync();
    await new Promise((resolve) => setImmediate(resolve));
    version = 2;
    const announced = sync.sync();
    const alsoAnnounced = sync.sync();
    expect(alsoAnnounced).toBe(announced);
    release();
    await first;
    expect(provider.probabilitiesVersion).toBe(1);
    await announced;

    expect(provider.probabilitiesVersion).toBe(2);
    expect(rateOf(provider, 'checkout', 'pay')).toBe(0.2);
  });
});
