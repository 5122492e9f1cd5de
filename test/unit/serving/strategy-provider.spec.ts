import { loadConfig } from '../../../src/config/load-config';
import type { Policy } from '../../../src/sampling/policy';
import { parseStrategiesFile } from '../../../src/sampling/strategies-file';
import type { ServingEntry } from '../../../src/serving/serving-snapshot';
import { StrategyProvider } from '../../../src/serving/strategy-provider';
import type { ProbabilitiesSnapshot } from '../../../src/store/store';
import { MetricsService } from '../../../src/telemetry/metrics.service';

// Nest's decorators are ES modules Jest cannot load here; the class is built with `new`.
jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined }));

function provider(): StrategyProvider {
  return new StrategyProvider(loadConfig({}), new MetricsService());
}

/** `services` services of `operations` operations each, every rate `rate` (service 0 at `first`). */
function fleet(version: number, services: number, operations: number, rate: number, first = rate): ProbabilitiesSnapshot {
  const probabilities: Record<string, Record<string, number>> = {};
  for (let s = 0; s < services; s++) {
    probabilities[`svc-${s}`] = Object.fromEntries(Array.from({ length: operations }, (_, o) => [`op-${o}`, s === 0 ? first : rate]));
  }
  return { version, computedAt: version, probabilities };
}

const rateOf = (entry: ServingEntry, operation = 'op-0') => entry.rates.rateFor(operation);

describe('StrategyProvider', () => {
  it('serves a small change before applying it returns', () => {
    const serving = provider();

    void serving.applyProbabilities(fleet(1, 3, 2, 0.1));

    expect(rateOf(serving.lookup('svc-2'))).toBe(0.1);
    expect(serving.snapshot.probabilitiesVersion).toBe(1);
  });

  it('re-encodes only the services whose probabilities changed', async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 50, 10, 0.1));
    const before = new Map([...serving.snapshot.services()]);

    await serving.applyProbabilities(fleet(2, 50, 10, 0.1, 0.5));

    expect(rateOf(serving.lookup('svc-0'))).toBe(0.5);
    expect(serving.lookup('svc-0')).not.toBe(before.get('svc-0'));
    for (let s = 1; s < 50; s++) expect(serving.lookup(`svc-${s}`)).toBe(before.get(`svc-${s}`));
    expect(serving.snapshot.probabilitiesVersion).toBe(2);
  });

  it("gives a re-encoded service's rates the index of the entry it replaces", async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 2, 10, 0.1));
    const asked = serving.lookup('svc-0');
    expect(rateOf(asked, 'op-9')).toBe(0.1);

    await serving.applyProbabilities(fleet(2, 2, 10, 0.2, 0.3));

    const index = (entry: ServingEntry) => (entry.rates as unknown as { index?: unknown }).index;
    expect(rateOf(serving.lookup('svc-0'), 'op-9')).toBe(0.3);
    expect(rateOf(serving.lookup('svc-1'), 'op-9')).toBe(0.2);
    expect(index(serving.lookup('svc-0'))).toBe(index(asked));
    expect(rateOf(asked, 'op-9')).toBe(0.1);
  });

  it('serves every change of versions applied while a large rebuild is under way', async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 3000, 20, 0.1));
    const v2 = fleet(2, 3000, 20, 0.1);
    v2.probabilities['svc-1']['op-0'] = 0.2;
    const v3 = fleet(3, 3000, 20, 0.1);
    v3.probabilities['svc-1']['op-0'] = 0.2;
    v3.probabilities['svc-2999']['op-0'] = 0.3;

    // Applied back to back: v3 arrives before v2's diff and rebuild are done.
    const second = serving.applyProbabilities(v2);
    const third = serving.applyProbabilities(v3);
    await Promise.all([second, third]);

    expect(rateOf(serving.lookup('svc-1'))).toBe(0.2);
    expect(rateOf(serving.lookup('svc-2999'))).toBe(0.3);
    expect(rateOf(serving.lookup('svc-2'))).toBe(0.1);
    expect(serving.snapshot.probabilitiesVersion).toBe(3);
  });

  it('forgets a service whose probabilities are gone', async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 2, 1, 0.1));

    await serving.applyProbabilities(fleet(2, 1, 1, 0.1));

    expect(serving.lookup('svc-1').source).toBe('default');
  });

  it('keeps answering from the previous snapshot while a large one is built, and lets I/O run meanwhile', async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 2000, 50, 0.1));
    let turns = 0;
    const tick = (): void => {
      turns++;
      if (pending) setImmediate(tick);
    };
    let pending = true;
    setImmediate(tick);

    const applied = serving.applyProbabilities(fleet(2, 2000, 50, 0.2));
    // Nothing is swapped in half-built: every lookup is of one version or the other.
    const during = rateOf(serving.lookup('svc-1999'));
    await applied;
    pending = false;

    expect(during).toBe(0.1);
    expect(turns).toBeGreaterThan(1);
    expect(rateOf(serving.lookup('svc-1999'))).toBe(0.2);
    expect(rateOf(serving.lookup('svc-0'))).toBe(0.2);
  });

  it('applies changes that arrive during a rebuild, in order', async () => {
    const serving = provider();
    await serving.applyProbabilities(fleet(1, 2000, 50, 0.1));

    const first = serving.applyProbabilities(fleet(2, 2000, 50, 0.2));
    const second = serving.applyProbabilities(fleet(3, 2000, 50, 0.3, 0.9));
    await Promise.all([first, second]);

    expect(serving.snapshot.probabilitiesVersion).toBe(3);
    expect(rateOf(serving.lookup('svc-0'))).toBe(0.9);
    expect(rateOf(serving.lookup('svc-1999'))).toBe(0.3);
  });

  describe('a settings change recomposes only the services it changes', () => {
    const probabilistic = (samplingRate: number): Policy => ({ mode: 'probabilistic', samplingRate });
    const file = (text: object) => parseStrategiesFile(JSON.stringify(text));
    const entries = (serving: StrategyProvider) => new Map([...serving.snapshot.services()]);
    /** The services whose entry is not the one `before` held. */
    const redone = (serving: StrategyProvider, before: Map<string, ServingEntry>) =>
      [...serving.snapshot.services()].filter(([service, entry]) => before.get(service) !== entry).map(([service]) => service);

    it("re-encodes only a service whose policy came, changed or went, and serves its computed rates again after", async () => {
      const serving = provider();
      await serving.applyProbabilities(fleet(1, 50, 10, 0.1));
      const kept = probabilistic(0.5);
      await serving.applyPolicies(new Map([['svc-1', kept]]));
      let before = entries(serving);

      // A reload hands the unchanged policy over as it is, a new one beside it.
      await serving.applyPolicies(new Map([['svc-1', kept], ['svc-7', probabilistic(0.3)]]));
      expect(redone(serving, before)).toEqual(['svc-7']);
      expect(serving.lookup('svc-7').source).toBe('policy');

      before = entries(serving);
      await serving.applyPolicies(new Map([['svc-1', probabilistic(0.25)], ['svc-7', probabilistic(0.3)]]));
      expect(redone(serving, before)).toEqual(['svc-1']);
      expect(serving.lookup('svc-1').strategy.probabilisticSampling?.samplingRate).toBe(0.25);

      before = entries(serving);
      await serving.applyPolicies(new Map([['svc-1', probabilistic(0.25)]]));
      expect(redone(serving, before)).toEqual(['svc-7']);
      expect(serving.lookup('svc-7').source).toBe('adaptive');
      expect(rateOf(serving.lookup('svc-7'))).toBe(0.1);
    });

    it('re-encodes every service when the default policy changes, as every service without its own falls back to it', async () => {
      const serving = provider();
      await serving.applyProbabilities(fleet(1, 50, 10, 0.1));
      const before = entries(serving);

      await serving.applyPolicies(new Map([['*', probabilistic(0.05)]]));

      expect(redone(serving, before)).toHaveLength(50);
      expect(serving.lookup('svc-49').strategy.probabilisticSampling?.samplingRate).toBe(0.05);
    });

    it("re-encodes only a service whose file entry changed, and every service when the file's default did", async () => {
      const serving = provider();
      await serving.applyProbabilities(fleet(1, 50, 10, 0.1));
      const strategy = (param: number) => ({ type: 'probabilistic', param });
      await serving.applyFile(file({ service_strategies: [{ service: 'svc-2', ...strategy(0.4) }, { service: 'svc-3', ...strategy(0.6) }] }));
      let before = entries(serving);

      // Parsed again from a changed file: every object new, one entry different.
      await serving.applyFile(file({ service_strategies: [{ service: 'svc-2', ...strategy(0.4) }, { service: 'svc-3', ...strategy(0.7) }] }));
      expect(redone(serving, before)).toEqual(['svc-3']);
      expect(serving.lookup('svc-3').strategy.probabilisticSampling?.samplingRate).toBe(0.7);

      before = entries(serving);
      await serving.applyFile(file({ default_strategy: strategy(0.2), service_strategies: [{ service: 'svc-2', ...strategy(0.4) }, { service: 'svc-3', ...strategy(0.7) }] }));
      expect(redone(serving, before)).toHaveLength(50);
      expect(serving.lookup('svc-9').strategy.probabilisticSampling?.samplingRate).toBe(0.2);
    });
  });
});
