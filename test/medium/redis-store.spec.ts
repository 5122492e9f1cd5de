import { type RedisConnection, createRedisClient } from '../../src/store/redis/redis-client';
import { PROBABILITY_SHARDS, RedisKeys, STORE_FORMAT, shardOf } from '../../src/store/redis/redis-keys';
import { RedisStore } from '../../src/store/redis/redis.store';
import { StoreUnavailableError } from '../../src/store/store';
import type { Manifest } from '../../src/store/redis/probability-shards';
import type { SavedRows, SavedState } from '../../src/sampling/calculator';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { at, describeStoreContract } from './store-contract';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

describeStoreContract('RedisStore', (keyPrefix) => connectRedisStore(redis.url, keyPrefix));

/** A store under `keyPrefix` and a plain client beside it, to look at what the store wrote. */
async function withStoreAndClient(keyPrefix: string, test: (store: RedisStore, client: RedisConnection) => Promise<void>): Promise<void> {
  const store = await connectRedisStore(redis.url, keyPrefix);
  const client = createRedisClient({ url: redis.url, commandTimeoutMs: 1_000 });
  await client.connect();
  try {
    await test(store, client);
  } finally {
    client.disconnect();
    await store.close();
  }
}

/**
 * Saves `count` services, each in a shard of its own, with an explanation each: service
 * `svc-N`'s one operation was computed from a previous probability of N.
 */
async function saveServicesInShardsOfTheirOwn(store: RedisStore, count: number): Promise<string[]> {
  const services: string[] = [];
  const taken = new Set<number>();
  for (let i = 0; services.length < count; i++) {
    const shard = shardOf(`svc-${i}`, PROBABILITY_SHARDS);
    if (taken.has(shard)) continue;
    taken.add(shard);
    services.push(`svc-${i}`);
  }
  const each = <T>(value: (service: string) => T): Record<string, T> => Object.fromEntries(services.map((service) => [service, value(service)]));
  await store.saveProbabilities({
    computedAt: 1,
    probabilities: each(() => ({ GET: 0.5 })),
    traffic: each(() => ({ GET: { requestsPerSecond: 10, sampledPerSecond: 5, errorRate: 0 } })),
    inputs: each((service) => ({ GET: { previous: Number(service.slice(4)), target: 5, adaptive: true, withinTolerance: true } })),
  });
  return services;
}

describe('RedisStore manifest', () => {
  it('keeps an unchanged served shard where it was, and writes explanations anew at every save', async () => {
    await withStoreAndClient('manifest-test:', async (store, client) => {
      const snapshot = {
        computedAt: 1,
        probabilities: { shop: { GET: 0.5 } },
        traffic: { shop: { GET: { requestsPerSecond: 10, sampledPerSecond: 5, errorRate: 0 } } },
        inputs: { shop: { GET: { previous: 0.4, target: 5, adaptive: true, withinTolerance: false } } },
      };
      const manifestOf = async (): Promise<Manifest> => JSON.parse((await client.get(new RedisKeys('manifest-test:').manifest)) ?? '{}') as Manifest;
      await store.saveProbabilities(snapshot);
      const first = await manifestOf();
      await store.saveProbabilities({ ...snapshot, computedAt: 2 });
      const second = await manifestOf();

      const shard = Object.keys(first.shards)[0];
      expect(second.shards[shard]).toEqual(first.shards[shard]);
      expect(second.explanations[shard].generation).not.toBe(first.explanations[shard].generation);
      expect(second.explanations[shard].hash).toBe(second.explanations[shard].generation);
      expect((await store.loadExplanations(['shop'])).get('shop')?.inputs.GET.previous).toBe(0.4);
    });
  });
});

describe('RedisStore served part', () => {
  const summary = (requestsPerSecond: number) => ({ operations: 1, requestsPerSecond, sampledPerSecond: 1, errorsPerSecond: 0, boosted: [] });
  const snapshot = (computedAt: number, qps: number) => ({
    computedAt,
    probabilities: { shop: { GET: 0.5 } },
    traffic: { shop: { GET: { requestsPerSecond: qps * 2, sampledPerSecond: qps, errorRate: 0 } } },
    inputs: { shop: { GET: { previous: 0.5, target: 5, adaptive: true, withinTolerance: true, qps } } },
    summaries: { shop: summary(qps * 2) },
  });

  it('leaves the served shard alone when only traffic and totals changed, and replicas read the new totals without fetching or parsing it', async () => {
    await withStoreAndClient('served-test:', async (leader, client) => {
      const keys = new RedisKeys('served-test:');
      const manifestOf = async (): Promise<Manifest> => JSON.parse((await client.get(keys.manifest)) ?? '{}') as Manifest;
      const replica = await connectRedisStore(redis.url, 'served-test:');
      try {
        await leader.saveProbabilities(snapshot(1, 4));
        const before = await replica.loadProbabilities();
        expect(before?.summaries?.shop.requestsPerSecond).toBe(8);
        const first = await manifestOf();
        await leader.saveProbabilities(snapshot(2, 6));
        const second = await manifestOf();
        const shard = Object.keys(first.shards)[0];

        expect(second.format).toBe(STORE_FORMAT);
        expect(second.shards[shard]).toEqual(first.shards[shard]);
        expect(second.summaries[shard].hash).not.toBe(first.summaries[shard].hash);
        // The replica holds the served shard's content by its hash: with its keys gone, it still loads.
        await client.del(keys.probabilityChunk(Number(shard), first.shards[shard].generation, 0));
        const loaded = await replica.loadProbabilities();
        expect(loaded?.probabilities).toEqual({ shop: { GET: 0.5 } });
        // Nor parsed again: the replica's old and new snapshots share the service's probabilities, frozen.
        expect(loaded?.probabilities.shop).toBe(before?.probabilities.shop);
        expect(Object.isFrozen(loaded?.probabilities.shop)).toBe(true);
        expect(loaded?.summaries).toEqual({ shop: summary(12) });
        expect((await replica.loadExplanations(['shop'])).get('shop')?.inputs.GET.qps).toBe(6);
      } finally {
        await replica.close();
      }
    });
  });

  it('keeps, of a served shard that changed, the services whose probabilities held: the same objects, not made again', async () => {
    await withStoreAndClient('reuse-test:', async (leader) => {
      const shardOfName = (i: number) => shardOf(`svc-${i}`, PROBABILITY_SHARDS);
      let other = 1;
      while (shardOfName(other) !== shardOfName(0)) other++;
      const [held, moved] = ['svc-0', `svc-${other}`];
      const replica = await connectRedisStore(redis.url, 'reuse-test:');
      try {
        await leader.saveProbabilities({ computedAt: 1, probabilities: { [held]: { GET: 0.5, PUT: 0.25 }, [moved]: { GET: 0.5 } } });
        const before = await replica.loadProbabilities();
        await leader.saveProbabilities({ computedAt: 2, probabilities: { [held]: { GET: 0.5, PUT: 0.25 }, [moved]: { GET: 0.125 } } });
        const after = await replica.loadProbabilities();

        expect(after?.probabilities[moved]).toEqual({ GET: 0.125 });
        expect(after?.probabilities[held]).toBe(before?.probabilities[held]);

        // The same rates listed in another order are served in that order: made anew.
        await leader.saveProbabilities({ computedAt: 3, probabilities: { [held]: { PUT: 0.25, GET: 0.5 }, [moved]: { GET: 0.125 } } });
        const reordered = await replica.loadProbabilities();
        expect(reordered?.probabilities[held]).not.toBe(after?.probabilities[held]);
        expect(Object.keys(reordered?.probabilities[held] ?? {})).toEqual(['PUT', 'GET']);
        expect(reordered?.probabilities[moved]).toBe(after?.probabilities[moved]);
      } finally {
        await replica.close();
      }
    });
  });

  it('keeps nothing of a load where asked (the calculation thread): each load fetches anew and gets its own objects', async () => {
    await withStoreAndClient('text-cache-test:', async (leader, client) => {
      const keys = new RedisKeys('text-cache-test:');
      const engine = new RedisStore(client, 'text-cache-test:', client, false);
      await leader.saveProbabilities(snapshot(1, 4));

      const [first, second] = [await engine.loadProbabilities(), await engine.loadProbabilities()];

      expect(second?.probabilities).toEqual({ shop: { GET: 0.5 } });
      expect(second?.probabilities.shop).not.toBe(first?.probabilities.shop);
      expect(Object.isFrozen(second?.probabilities.shop)).toBe(false);
      // Nothing held: with the served shard's keys gone, the next load has nothing to read it from.
      const manifest = JSON.parse((await client.get(keys.manifest)) ?? '{}') as Manifest;
      const [shard, entry] = Object.entries(manifest.shards)[0];
      await client.del(keys.probabilityChunk(Number(shard), entry.generation, 0));
      await expect(engine.loadProbabilities()).rejects.toThrow(StoreUnavailableError);
    });
  });

  it('keeps the explanation shards last asked for, no more than sixteen, and fetches any other when asked', async () => {
    await withStoreAndClient('explained-lru-test:', async (leader, client) => {
      const keys = new RedisKeys('explained-lru-test:');
      const services = await saveServicesInShardsOfTheirOwn(leader, 20);
      const replica = await connectRedisStore(redis.url, 'explained-lru-test:');
      try {
        for (const service of services) expect((await replica.loadExplanations([service])).get(service)?.inputs.GET.previous).toBe(Number(service.slice(4)));
        // Asked for again, the first (no longer kept) is fetched and kept in place of the fifth.
        await replica.loadExplanations([services[0]]);
        const manifest = JSON.parse((await client.get(keys.manifest)) ?? '{}') as Manifest;
        for (const [shard, entry] of Object.entries(manifest.explanations)) {
          for (let chunk = 0; chunk < entry.chunks; chunk++) await client.del(keys.explanationChunk(Number(shard), entry.generation, chunk));
        }

        for (const service of [services[0], ...services.slice(5)]) {
          expect((await replica.loadExplanations([service])).get(service)?.inputs.GET.previous).toBe(Number(service.slice(4)));
        }
        for (const service of services.slice(1, 5)) await expect(replica.loadExplanations([service])).rejects.toThrow(StoreUnavailableError);
      } finally {
        await replica.close();
      }
    });
  });

  it('answers many views asking at once for services in as many shards, every one with its explanation', async () => {
    await withStoreAndClient('explained-many-test:', async (leader) => {
      const services = await saveServicesInShardsOfTheirOwn(leader, 200);
      const replica = await connectRedisStore(redis.url, 'explained-many-test:');
      try {
        // Each view's shard must not be taken from it by another view's trimming of the kept ones.
        for (let round = 0; round < 5; round++) {
          const answers = await Promise.all(services.map((service) => replica.loadExplanations([service])));
          answers.forEach((found, i) => expect(found.get(services[i])?.inputs.GET.previous).toBe(Number(services[i].slice(4))));
        }
      } finally {
        await replica.close();
      }
    });
  });

  it('fetches an unreadable shard (text cut short, columns that do not line up) again at the next load rather than failing on what it cached', async () => {
    await withStoreAndClient('unreadable-test:', async (leader, client) => {
      const keys = new RedisKeys('unreadable-test:');
      await leader.saveProbabilities(snapshot(1, 4));
      const manifest = JSON.parse((await client.get(keys.manifest)) ?? '{}') as Manifest;
      const [shard, entry] = Object.entries(manifest.shards)[0];
      const key = keys.probabilityChunk(Number(shard), entry.generation, 0);
      const good = await client.get(key);
      const replica = await connectRedisStore(redis.url, 'unreadable-test:');
      try {
        const columns = [{ operations: ['GET', 'PUT'], probabilities: [0.5] }, { operations: [7], probabilities: [0.5] }, { probabilities: { GET: 0.5 } }];
        for (const bad of ['{"shop": {"operations": ', ...columns.map((service) => JSON.stringify({ shop: service }))]) {
          await client.set(key, bad);
          await expect(replica.loadProbabilities()).rejects.toThrow(/shard .* is unreadable/);
        }
        await client.set(key, good ?? '');
        await expect(replica.loadProbabilities()).resolves.toMatchObject({ probabilities: { shop: { GET: 0.5 } } });
      } finally {
        await replica.close();
      }
    });
  });

  it('stores each service as columns of operations and probabilities, the QPS beside them only where the cap needs it', async () => {
    await withStoreAndClient('columns-test:', async (store, client) => {
      const keys = new RedisKeys('columns-test:');
      // Computed keys: a quoted __proto__ in a literal would set the prototype, not a key.
      const probabilities = { shop: { GET: 0.5, ['__proto__']: 0.25 }, cart: { PUT: 1 } };
      await store.saveProbabilities({ computedAt: 5, probabilities, qps: { shop: { GET: 4, ['__proto__']: 2 } }, fleetRequests: { cart: 7 } });
      const manifest = JSON.parse((await client.get(keys.manifest)) ?? '{}') as Manifest;
      const stored: Record<string, unknown> = {};
      for (const [shard, entry] of Object.entries(manifest.shards)) Object.assign(stored, JSON.parse((await client.get(keys.probabilityChunk(Number(shard), entry.generation, 0))) ?? '{}'));

      expect(stored).toEqual({
        shop: { operations: ['GET', '__proto__'], probabilities: [0.5, 0.25], qps: [4, 2] },
        cart: { operations: ['PUT'], probabilities: [1], fleetRequests: 7 },
      });
      const loaded = await store.loadProbabilities();
      expect(loaded?.probabilities).toEqual(probabilities);
      expect(Object.keys(loaded?.probabilities.shop ?? {})).toEqual(['GET', '__proto__']);
      expect(loaded?.qps).toEqual({ shop: { GET: 4, ['__proto__']: 2 } });
      expect(loaded?.fleetRequests).toEqual({ cart: 7 });
    });
  });

  it('reads a format 4 snapshot, whose services held their probabilities as objects keyed by operation', async () => {
    await withStoreAndClient('format4-test:', async (store, client) => {
      const keys = new RedisKeys('format4-test:');
      const content = { shop: { probabilities: { GET: 0.25, PUT: 0.5 }, qps: { GET: 3, PUT: 1 }, fleetRequests: 9 } };
      await client.set(keys.probabilityChunk(7, 'v4', 0), JSON.stringify(content));
      await client.set(keys.summaryChunk(7, 'v4', 0), JSON.stringify({ shop: summary(30) }));
      const entry = { generation: 'v4', chunks: 1, hash: 'h' };
      const manifest = { format: 4, computedAt: 5, shards: { 7: entry }, summaries: { 7: entry }, explanations: {} };
      await client.set(keys.manifest, JSON.stringify(manifest));
      await client.set(keys.version, '4');

      await expect(store.loadProbabilities()).resolves.toEqual({
        version: 4,
        computedAt: 5,
        probabilities: { shop: { GET: 0.25, PUT: 0.5 } },
        qps: { shop: { GET: 3, PUT: 1 } },
        fleetRequests: { shop: 9 },
        summaries: { shop: summary(30) },
      });
    });
  });

  it('reads the totals a format 3 snapshot served with the probabilities', async () => {
    await withStoreAndClient('format3-test:', async (store, client) => {
      const keys = new RedisKeys('format3-test:');
      const content = { shop: { probabilities: { GET: 0.25 }, qps: { GET: 3 }, summary: summary(30) } };
      await client.set(keys.probabilityChunk(7, 'v3', 0), JSON.stringify(content));
      const manifest = { format: 3, computedAt: 5, shards: { 7: { generation: 'v3', chunks: 1, hash: 'h' } }, explanations: {} };
      await client.set(keys.manifest, JSON.stringify(manifest));
      await client.set(keys.version, '3');

      await expect(store.loadProbabilities()).resolves.toEqual({
        version: 3,
        computedAt: 5,
        probabilities: { shop: { GET: 0.25 } },
        qps: { shop: { GET: 3 } },
        summaries: { shop: summary(30) },
      });
    });
  });
});

describe('RedisStore values', () => {
  it('writes a shard larger than a value as chunks that each take one 512 KiB allocation in Redis', async () => {
    await withStoreAndClient('chunk-test:', async (store, client) => {
      // One service of ~1.5 MiB served JSON: two full chunks and the rest.
      const operations: Record<string, number> = {};
      for (let o = 0; o < 20_000; o++) operations[`GET /api/v1/resources/${o}/items/with/a/longer/path`] = 1 / (o + 3);
      await store.saveProbabilities({ computedAt: 1, probabilities: { big: operations } });
      const keys = await client.keys('chunk-test:{pd*}:*');
      const sizes = await Promise.all(keys.map(async (key) => Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))));

      expect(keys.length).toBeGreaterThanOrEqual(3);
      // A 512 KiB allocation and the key's own few bytes; the allocator's next size is 640 KiB.
      expect(Math.max(...sizes)).toBeLessThan(513 * 1024);
    });
  });
});


describe('RedisStore saved calculator state', () => {
  const rows = (n: number): SavedRows => ({
    ops: Array.from({ length: n }, (_, i) => `GET /api/v1/resources/${i}`),
    numbers: Float64Array.from({ length: n * 10 }, (_, i) => i / 3),
    flags: Uint8Array.from({ length: n * 5 }, (_, i) => i % 2),
  });
  const save = async (store: RedisStore, computedAt: number, saved: SavedRows, keepMs?: number): Promise<boolean> => {
    const version = await store.saveProbabilities({ computedAt, dataThrough: computedAt, probabilities: { big: { GET: 0.5 } } });
    const state: SavedState = { layout: 'test/1 10x5', buckets: 3, ...(keepMs !== undefined && { keepMs }), of: (service) => (service === 'big' ? saved : undefined) };
    return store.saveState({ version, computedAt, dataThrough: computedAt, services: ['big'], state });
  };
  const stateKeys = (client: RedisConnection, prefix: string) => client.keys(`${prefix}{pd*}:st:*`);

  it('chunks a large service’s state, and lets every chunk expire: a superseded one within 10 s, the current one within the hour', async () => {
    await withStoreAndClient('state-test:', async (store, client) => {
      // ~0.9 MiB of rows for one service: two chunks at least.
      const big = rows(10_000);
      await expect(save(store, 1, big)).resolves.toBe(true);
      const first = await stateKeys(client, 'state-test:');
      expect(first.length).toBeGreaterThanOrEqual(2);
      const manifest = new RedisKeys('state-test:').stateManifest;
      for (const key of [...first, manifest]) expect(Number(await client.pttl(key))).toBeGreaterThan(3_000_000);
      const sizes = await Promise.all(first.map(async (key) => Number(await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'))));
      expect(Math.max(...sizes)).toBeLessThan(513 * 1024);

      await expect(save(store, 2, big)).resolves.toBe(true);
      for (const key of first) {
        // A key that is gone answers -2: expiring soon is not the same as deleted before the grace.
        const ttl = Number(await client.pttl(key));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(10_000);
      }
      const taken: SavedRows[] = [];
      await expect(store.loadState(at(2, 'test/1 10x5'), (_, saved) => taken.push(saved))).resolves.toMatchObject({ buckets: 3 });
      expect(taken).toEqual([big]);
    });
  });

  it('writes a state of many shards with several round trips in flight, and reads every service back whole', async () => {
    await withStoreAndClient('state-many-test:', async (store) => {
      // ~6.5 MiB of rows over 60 services: more round trips than are let in flight at once.
      const services = Array.from({ length: 60 }, (_, i) => `service-${i}`);
      const saved = new Map(services.map((service, i) => [service, { ...rows(1_000), numbers: Float64Array.from({ length: 10_000 }, (_, k) => i * 1e6 + k) }]));
      const probabilities = Object.fromEntries(services.map((service) => [service, { GET: 0.5 }]));
      const version = await store.saveProbabilities({ computedAt: 1, dataThrough: 1, probabilities });
      const state: SavedState = { layout: 'test/1 10x5', buckets: 2, of: (service) => saved.get(service) };
      await expect(store.saveState({ version, computedAt: 1, dataThrough: 1, services, state })).resolves.toBe(true);
      const taken = new Map<string, SavedRows>();
      await expect(store.loadState(at(1, 'test/1 10x5'), (service, rows) => taken.set(service, rows))).resolves.toMatchObject({ buckets: 2 });
      expect(taken).toEqual(saved);
    });
  });

  it('keeps a state as long as its saver says a new leader could take it up', async () => {
    await withStoreAndClient('state-keep-test:', async (store, client) => {
      await save(store, 1, rows(3), 170_000);
      const [key] = await stateKeys(client, 'state-keep-test:');
      for (const kept of [key, new RedisKeys('state-keep-test:').stateManifest]) {
        const ttl = Number(await client.pttl(kept));
        expect(ttl).toBeGreaterThan(160_000);
        expect(ttl).toBeLessThanOrEqual(170_000);
      }
    });
  });

  it('leaves nothing behind for a snapshot that is no longer the newest: its state would be of another', async () => {
    await withStoreAndClient('state-late-test:', async (store, client) => {
      await save(store, 1, rows(3));
      const before = await stateKeys(client, 'state-late-test:');
      const version = await store.saveProbabilities({ computedAt: 2, probabilities: { big: { GET: 0.5 } } });
      await store.saveProbabilities({ computedAt: 3, probabilities: { big: { GET: 0.5 } } });
      const late: SavedState = { layout: 'test/1 10x5', buckets: 4, of: () => rows(10_000) };
      await expect(store.saveState({ version, computedAt: 2, dataThrough: 2, services: ['big'], state: late })).resolves.toBe(false);
      expect(await stateKeys(client, 'state-late-test:')).toEqual(before);
      await expect(store.loadState(at(2, 'test/1 10x5'), () => undefined)).resolves.toBeUndefined();
      // The last one saved stays, for a new leader that restored its snapshot.
      await expect(store.loadState(at(1, 'test/1 10x5'), () => undefined)).resolves.toMatchObject({ buckets: 3 });
    });
  });

  it('fails the read where a chunk is gone (expired, or superseded mid-read), so a new leader folds its history instead', async () => {
    await withStoreAndClient('state-gone-test:', async (store, client) => {
      await save(store, 1, rows(10_000));
      const [chunk] = await stateKeys(client, 'state-gone-test:');
      await client.del(chunk);
      await expect(store.loadState(at(1, 'test/1 10x5'), () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  it('reads no state where its manifest is not one it reads, and serves the probabilities all the same', async () => {
    await withStoreAndClient('state-format-test:', async (store, client) => {
      await save(store, 1, rows(3));
      const key = new RedisKeys('state-format-test:').stateManifest;
      const manifest = JSON.parse((await client.get(key))!) as Record<string, unknown>;
      const unreadable = [
        'not json',
        JSON.stringify(null),
        JSON.stringify({ ...manifest, shards: 'elsewhere' }),
        JSON.stringify({ ...manifest, shards: [] }),
        JSON.stringify({ ...manifest, shards: { 7: null } }),
        JSON.stringify({ ...manifest, layout: undefined }),
        JSON.stringify({ ...manifest, buckets: '3' }),
        JSON.stringify({ ...manifest, dataThrough: undefined }),
      ];
      for (const written of unreadable) {
        await client.set(key, written);
        await expect(store.loadState(at(1, 'test/1 10x5'), () => undefined)).resolves.toBeUndefined();
        await expect(store.loadProbabilities()).resolves.toMatchObject({ probabilities: { big: { GET: 0.5 } } });
        // The next save, over a manifest it cannot read, writes its own.
        await save(store, 2, rows(3));
        const taken: SavedRows[] = [];
        await expect(store.loadState(at(2, 'test/1 10x5'), (_, saved) => taken.push(saved))).resolves.toMatchObject({ buckets: 3 });
        expect(taken).toEqual([rows(3)]);
      }
    });
  });
});
