import type Redis from 'ioredis';
import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisThroughputStore } from '../../src/store/redis/redis-throughput.store';
import { redisCli } from '../support/redis-cli';
import { RedisKeys, THROUGHPUT_SHARDS, shardOf } from '../../src/store/redis/redis-keys';
import { RedisStore } from '../../src/store/redis/redis.store';
import { StoreUnavailableError } from '../../src/store/store';
import { FlushNotWrittenError } from '../../src/store/throughput-store';
import { LatencyProxy } from '../support/latency-proxy';
import { RedisServer } from '../support/redis-server';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../support/redis-store';
import { settlesWithin } from '../support/settle';
import { waitFor } from '../support/wait';
import {
  BASE,
  RETENTION_MS,
  SLOT_MS,
  counted,
  describeThroughputStoreContract,
  normalise,
} from './throughput-store-contract';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

/** A client built the way the application builds it, connected before use. */
async function connect(url: string, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<Redis> {
  const client = createRedisClient({ url, commandTimeoutMs });
  // Without a listener an 'error' event would be thrown; outages are expected in these tests.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function quit(client: Redis): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

describeThroughputStoreContract('RedisThroughputStore', async ({ keyPrefix, slotMs, retentionMs, maxWindowMs }) => {
  const client = await connect(redis.url);
  return { store: new RedisThroughputStore(client, keyPrefix, slotMs, retentionMs, maxWindowMs), close: () => quit(client) };
});

describe('RedisThroughputStore on a shared Redis', () => {
  const clients: Redis[] = [];
  let prefixes = 0;
  let prefix: string;

  const open = async (url = redis.url, commandTimeoutMs?: number): Promise<RedisThroughputStore> => {
    const client = await connect(url, commandTimeoutMs);
    clients.push(client);
    return new RedisThroughputStore(client, prefix, SLOT_MS, RETENTION_MS);
  };

  beforeEach(() => {
    prefixes += 1;
    prefix = `tp-shared-${process.pid}-${prefixes}:`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(quit));
  });

  it('merges the flushes of replicas on separate connections, and shares their watermarks', async () => {
    const [replicaA, replicaB, leader] = [await open(), await open(), await open()];

    await Promise.all([
      replicaA.flush('replica-a', BASE + 1_000, [counted('A', 'GET', 4, ['0.100000']), counted('A', 'PUT', 5)]),
      replicaB.flush('replica-b', BASE + 2_000, [counted('A', 'GET', 4, ['0.200000'])]),
    ]);

    expect(normalise(await leader.read(BASE, BASE + SLOT_MS))).toEqual([
      counted('A', 'GET', 8, ['0.100000', '0.200000']),
      counted('A', 'PUT', 5),
    ]);
    await expect(leader.flushedThrough(BASE)).resolves.toBe(BASE + 1_000);
  });

  it('keeps, of a flush Redis took in part, only what it refused: what it took is not written twice', async () => {
    const store = await open();
    const client = clients[clients.length - 1];
    const [a, b] = [shardOf('A', THROUGHPUT_SHARDS), shardOf('B', THROUGHPUT_SHARDS)];
    expect(a).not.toBe(b);
    // B's slot value is a hash: Redis refuses the APPEND to it (WRONGTYPE), and takes A's.
    const refused = new RedisKeys(prefix).slotCounts(b, Math.floor(BASE / SLOT_MS) * SLOT_MS);
    await client.hset(refused, 'not', 'text');

    await expect(store.flush('replica-a', BASE, [counted('A', 'GET', 2), counted('B', 'GET', 3)])).rejects.toMatchObject({ kept: 1, dropped: 0 });
    // No watermark while B's slot lacks its counts: the leader must not read it as whole.
    await expect(store.flushedThrough(0)).resolves.toBeUndefined();
    await client.del(refused);
    await expect(store.flush('replica-a', BASE + 1, [])).resolves.toEqual({ dropped: 0 });

    expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([counted('A', 'GET', 2), counted('B', 'GET', 3)]);
    await expect(store.flushedThrough(0)).resolves.toBe(BASE + 1);
  });

  it('sets, at the next flush, the expiry a flush could not set on a slot it appended to', async () => {
    const store = await open();
    const key = new RedisKeys(prefix).slotCounts(shardOf('A', THROUGHPUT_SHARDS), Math.floor(BASE / SLOT_MS) * SLOT_MS);
    // The APPEND is taken and the PEXPIRE after it refused, as a connection lost between them
    // would leave it (the watermark's, on a {control} key, still allowed).
    await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '-pexpire', '(+pexpire ~*{control}*)');
    try {
      await expect(store.flush('replica-a', BASE, [counted('A', 'GET', 2)])).resolves.toEqual({ dropped: 0 });
      expect(Number(await redisCli(redis.port, 'PTTL', key))).toBe(-1);
    } finally {
      await redisCli(redis.port, 'ACL', 'SETUSER', 'default', '+pexpire', 'clearselectors');
    }

    await store.flush('replica-a', BASE + 1, []);

    expect(Number(await redisCli(redis.port, 'PTTL', key))).toBeGreaterThan(0);
    expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([counted('A', 'GET', 2)]);
  });

  it('counts dropped, rather than writes, what it kept for slots no calculation will read again', async () => {
    const store = await open();
    const client = clients[clients.length - 1];
    const refuseOnce = async (at: number) => {
      const refused = new RedisKeys(prefix).slotCounts(shardOf('B', THROUGHPUT_SHARDS), Math.floor(at / SLOT_MS) * SLOT_MS);
      await client.hset(refused, 'not', 'text');
      await expect(store.flush('replica-a', at, [counted('B', 'GET', 3)])).rejects.toMatchObject({ kept: 1, dropped: 0 });
      await client.del(refused);
    };
    const snapshots = new RedisStore(client, prefix);
    const interval = new Map([['C', new Map([['GET', { sampled: 1, requests: 1, exact: 1, errors: 0, outcomes: 1, probabilities: [], count: 0, recent: 0 }]])]]);

    // A leader kept an interval past B's slot, but its snapshot was not saved: a new term
    // resumes from the saved one's end, before the slot, and reads it. Written.
    await refuseOnce(BASE);
    await snapshots.saveProbabilities({ computedAt: BASE, dataThrough: BASE - SLOT_MS, probabilities: { C: { GET: 0.5 } } });
    await store.keepInterval(BASE - SLOT_MS, BASE + 60_000, interval);
    await expect(store.flush('replica-a', BASE + 60_000, [])).resolves.toEqual({ dropped: 0 });
    expect(normalise(await store.read(BASE, BASE + SLOT_MS))).toEqual([counted('B', 'GET', 3)]);

    // Saved through the slot: nothing reads it again. Counted dropped, not written.
    await refuseOnce(BASE + SLOT_MS);
    await snapshots.saveProbabilities({ computedAt: BASE + 60_000, dataThrough: BASE + 60_000, probabilities: { C: { GET: 0.5 } } });
    await expect(store.flush('replica-a', BASE + 60_001, [])).resolves.toEqual({ dropped: 1 });
    expect(normalise(await store.read(BASE + SLOT_MS, BASE + 2 * SLOT_MS))).toEqual([]);
  });

  it('writes again a flush whose reply never came, and it counts once though Redis had applied it', async () => {
    const proxy = await LatencyProxy.start(redis.port, 400);
    try {
      const slow = await open(proxy.url, 2_000);
      // Connected, its commands now time out long before the proxy delivers their replies.
      clients[clients.length - 1].options.commandTimeout = 100;
      await expect(slow.flush('replica-a', BASE, [counted('A', 'GET', 2)])).rejects.toMatchObject({ kept: 1, dropped: 0 });

      const direct = await open();
      // The write that timed out lands all the same.
      await waitFor(async () => normalise(await direct.read(BASE, BASE + SLOT_MS)).length > 0, 'the late write to land');
      // The next flush writes it again, with its own counts.
      clients[clients.length - 2].options.commandTimeout = 2_000;
      await expect(slow.flush('replica-a', BASE + 1, [counted('A', 'GET', 1)])).resolves.toEqual({ dropped: 0 });
      await direct.flush('replica-b', BASE + 2, [counted('A', 'GET', 4)]);

      const key = new RedisKeys(prefix).slotCounts(shardOf('A', THROUGHPUT_SHARDS), Math.floor(BASE / SLOT_MS) * SLOT_MS);
      expect((await redisCli(redis.port, 'GET', key)).match(/"GET",2,20,/g)).toHaveLength(2);
      expect(normalise(await direct.read(BASE, BASE + SLOT_MS))).toEqual([counted('A', 'GET', 2 + 1 + 4)]);
    } finally {
      await Promise.all(clients.splice(0).map(quit));
      await proxy.close();
    }
  });

  it('sums concurrent flushes into one slot without losing any', async () => {
    const replicas = await Promise.all(Array.from({ length: 4 }, () => open()));

    const record = { service: 'A', operation: 'GET', sampled: 1, requests: 0.5, errors: 1, probabilities: [] };

    await Promise.all(
      replicas.flatMap((store, r) =>
        Array.from({ length: 25 }, (_, i) => store.flush(`replica-${r}`, BASE + i, [record])),
      ),
    );

    const [merged] = await replicas[0].read(BASE, BASE + SLOT_MS);
    expect(merged).toMatchObject({ sampled: 100, errors: 100 });
    expect(merged.requests).toBeCloseTo(50, 9);
  });

  it('sets an expiry no longer than the retention on every key it writes', async () => {
    const store = await open();
    const now = Date.now();

    await store.flush('replica-a', now, [counted('A', 'GET', 4, ['0.100000']), counted('A', 'idle', 0)]);
    await store.flush('replica-b', now - SLOT_MS, [counted('B', 'GET', 1, ['0.500000'])]);
    await store.flush('replica-c', now, []);
    await store.flushedThrough(now - 60_000);

    // Two slots' counts (one shard each at least), and the watermarks.
    const keys = await clients[0].keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      const ttl = await clients[0].pttl(key);
      expect({ key, ttl, expires: ttl > 0 && ttl <= RETENTION_MS }).toEqual({ key, ttl, expires: true });
    }
  });

  it('flushes in two round trips however many records it carries: the counts, then the watermark', async () => {
    // Long enough that one round trip and two are told apart on a loaded machine.
    const delayMs = 500;
    const proxy = await LatencyProxy.start(redis.port, delayMs);
    try {
      const store = await open(proxy.url, 20 * delayMs);
      const proxied = clients[clients.length - 1];
      const records = Array.from({ length: 2_000 }, (_, i) =>
        counted(`service-${i % 7}`, `operation-${i}`, i % 3, [`0.${String(i % 11).padStart(6, '0')}`]),
      );
      // The proxy works: two commands one after the other take two delays.
      let started = performance.now();
      await proxied.ping();
      await proxied.ping();
      expect(performance.now() - started).toBeGreaterThanOrEqual(2 * delayMs - 5);

      started = performance.now();
      await store.flush('replica-a', BASE, records);
      const elapsed = performance.now() - started;

      expect(elapsed).toBeGreaterThanOrEqual(2 * delayMs - 5);
      expect(elapsed).toBeLessThan(3 * delayMs);
      const direct = await open();
      expect(normalise(await direct.read(BASE, BASE + SLOT_MS))).toEqual(normalise(records));
    } finally {
      await Promise.all(clients.splice(0).map(quit));
      await proxy.close();
    }
  });

  it('reads in as many round trips for two minutes of slots as for one slot', async () => {
    const delayMs = 500;
    const proxy = await LatencyProxy.start(redis.port, delayMs);
    try {
      const direct = await open();
      const slots = 120;
      for (let i = 0; i < slots; i += 7) await direct.flush('replica-a', BASE + i * SLOT_MS, [counted(`service-${i}`, 'GET', i + 1)]);
      const store = await open(proxy.url, 20 * delayMs);
      const timed = async (bounds: number[]) => {
        const started = performance.now();
        const intervals = await store.readIntervals(bounds);
        return { elapsed: performance.now() - started, intervals };
      };

      const one = await timed([BASE, BASE + SLOT_MS]);
      const all = await timed(Array.from({ length: 11 }, (_, i) => BASE + i * 12 * SLOT_MS));

      // Not one round trip more: the extra slots and intervals ride in the same commands.
      expect(one.elapsed).toBeGreaterThanOrEqual(delayMs - 5);
      expect(all.elapsed).toBeLessThan(one.elapsed + delayMs);
      const total = all.intervals.reduce((sum, counts) => sum + [...counts.values()].reduce((n, ops) => n + ops.size, 0), 0);
      expect(total).toBe(Math.ceil(slots / 7));
    } finally {
      await Promise.all(clients.splice(0).map(quit));
      await proxy.close();
    }
  });

});

describe('RedisThroughputStore while Redis is away', () => {
  const COMMAND_TIMEOUT_MS = 500;
  const DEADLINE_MS = 2 * COMMAND_TIMEOUT_MS;
  let server: RedisServer;
  let client: Redis;
  let store: RedisThroughputStore;

  beforeEach(async () => {
    server = await RedisServer.start();
    client = await connect(server.url, COMMAND_TIMEOUT_MS);
    store = new RedisThroughputStore(client, 'outage:', SLOT_MS, RETENTION_MS);
  });

  afterEach(async () => {
    await quit(client);
    await server?.destroy();
  });

  const calls: Record<string, (store: RedisThroughputStore) => Promise<unknown>> = {
    flush: (s) => s.flush('replica-a', BASE, [counted('A', 'GET', 1)]),
    'empty flush': (s) => s.flush('replica-a', BASE, []),
    read: (s) => s.read(BASE, BASE + 3 * SLOT_MS),
    flushedThrough: (s) => s.flushedThrough(0),
  };

  it.each(Object.keys(calls))('%s rejects promptly with StoreUnavailableError while Redis is stopped', async (name) => {
    await server.stop();

    await expect(settlesWithin(calls[name](store), DEADLINE_MS, name)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('works again once Redis is back, writing first what the flushes while it was away could not', async () => {
    await server.stop();
    await expect(store.flushedThrough(0)).rejects.toBeInstanceOf(StoreUnavailableError);
    const failed = store.flush('replica-a', BASE, [counted('A', 'GET', 2), counted('A', 'PUT', 1)]);
    await expect(failed).rejects.toBeInstanceOf(FlushNotWrittenError);
    await expect(failed).rejects.toMatchObject({ kept: 2, dropped: 0 });

    await server.startAgain();
    await waitFor(() => store.flushedThrough(0).then(() => true, () => false), 'Redis to answer again');

    await expect(store.flush('replica-a', BASE + SLOT_MS, [counted('A', 'GET', 3)])).resolves.toEqual({ dropped: 0 });
    // Each flush's counts in the slot they belong to, the kept ones once.
    await expect(store.read(BASE, BASE + SLOT_MS)).resolves.toEqual([counted('A', 'GET', 2), counted('A', 'PUT', 1)]);
    await expect(store.read(BASE + SLOT_MS, BASE + 2 * SLOT_MS)).resolves.toEqual([counted('A', 'GET', 3)]);
    await expect(store.flushedThrough(0)).resolves.toBe(BASE + SLOT_MS);
    await expect(store.flush('replica-a', BASE + 2 * SLOT_MS, [])).resolves.toEqual({ dropped: 0 });
    await expect(store.read(BASE, BASE + SLOT_MS)).resolves.toEqual([counted('A', 'GET', 2), counted('A', 'PUT', 1)]);
  });

  it('drops what it kept once its slot is past the retention, and says how many counts', async () => {
    await server.stop();
    await expect(store.flush('replica-a', BASE, [counted('A', 'GET', 2), counted('A', 'PUT', 1)])).rejects.toMatchObject({ kept: 2 });
    await expect(store.flush('replica-a', BASE + SLOT_MS, [counted('A', 'GET', 1)])).rejects.toMatchObject({ kept: 3, dropped: 0 });
    await server.startAgain();
    await waitFor(() => store.flushedThrough(0).then(() => true, () => false), 'Redis to answer again');

    await expect(store.flush('replica-a', BASE + RETENTION_MS + SLOT_MS / 2, [])).resolves.toEqual({ dropped: 2 });
    await expect(store.read(BASE, BASE + 2 * SLOT_MS)).resolves.toEqual([counted('A', 'GET', 1)]);
  });

});
