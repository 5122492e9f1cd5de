import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisHistoryStore } from '../../src/store/redis/redis-history.store';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { StoreUnavailableError } from '../../src/store/store';
import { redisCli } from '../support/redis-cli';
import { RedisServer } from '../support/redis-server';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../support/redis-store';
import { describeHistoryStoreContract } from './history-store-contract';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

async function open(prefix: string, bounds: ConstructorParameters<typeof RedisHistoryStore>[2]) {
  const client = createRedisClient({ url: redis.url, commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  const store = new RedisHistoryStore(client, prefix, bounds);
  return Object.assign(store, { close: async () => void (await client.quit()) });
}

describeHistoryStoreContract('RedisHistoryStore', open);

describe('RedisHistoryStore', () => {
  it('lets a service’s points expire once it is no longer written', async () => {
    const store = await open('expiry:', { points: 3, operations: 2, services: 10, retentionMs: 60_000 });
    const point = { at: 0, requestsPerSecond: 1, sampledPerSecond: 1, expectedSampledPerSecond: 1, operations: [] };
    await store.record(new Map([['checkout', point]]), { at: 0, durationMs: 1, replica: 'r', version: 1, algorithm: 'jaeger', services: 1, operations: 0 });
    const ttl = await redisCli(redis.port, 'PTTL', new RedisKeys('expiry:').historyPoints('checkout'));
    expect(Number(ttl)).toBeGreaterThan(50_000);
    expect(Number(ttl)).toBeLessThanOrEqual(60_000);
    await store.close();
  });

  it('reads the points an earlier version wrote as objects beside the ones it writes', async () => {
    const store = await open('upgrade:', { points: 3, operations: 2, services: 10, retentionMs: 60_000 });
    const operation = { operation: 'GET /cart', probability: 0.123456789, requestsPerSecond: 5000.416666666667, sampledPerSecond: 1, errorRate: 0 };
    const older = { at: 1_000, requestsPerSecond: 1, sampledPerSecond: 1, expectedSampledPerSecond: 1, operations: [operation] };
    await redisCli(redis.port, 'LPUSH', new RedisKeys('upgrade:').history('checkout'), JSON.stringify(older));
    const calculation = { at: 2_000, durationMs: 1, replica: 'r', version: 2, algorithm: 'samplane', services: 1, operations: 1 };
    await store.record(new Map([['checkout', { ...older, at: 2_000 }]]), calculation);

    const [before, after] = await store.read('checkout');

    expect(before).toEqual(older);
    // Written now to 6 significant digits.
    expect(after.operations).toEqual([{ ...operation, probability: 0.123457, requestsPerSecond: 5000.42 }]);
    await store.close();
  });

  it('reports an unreachable Redis as StoreUnavailableError', async () => {
    const store = await open('down:', { points: 3, operations: 2, services: 10, retentionMs: 60_000 });
    await store.close();
    await expect(store.read('checkout')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
