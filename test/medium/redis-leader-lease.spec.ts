import type Redis from 'ioredis';
import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { RedisLeaderLease } from '../../src/store/redis/redis-leader-lease';
import { RedisStore } from '../../src/store/redis/redis.store';
import { StoreUnavailableError } from '../../src/store/store';
import { RedisServer } from '../support/redis-server';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../support/redis-store';
import { settlesWithin } from '../support/settle';
import { waitFor } from '../support/wait';
import { describeLeaderLeaseContract } from './leader-lease-contract';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

async function connect(url: string, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<Redis> {
  const client = createRedisClient({ url, commandTimeoutMs });
  // Without a listener an 'error' event would be thrown; outages are expected in these tests.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

// Each replica has its own connection, as in production; the store's fence check runs on the
// leader's connection while the lease moves through others.
describeLeaderLeaseContract('RedisLeaderLease with RedisStore', async (keyPrefix) => {
  const leaseClient = await connect(redis.url);
  const storeClient = await connect(redis.url);
  return {
    lease: new RedisLeaderLease(leaseClient, keyPrefix),
    store: new RedisStore(storeClient, keyPrefix),
    elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    lapse: async () => {
      const gone = async (): Promise<boolean> => (await leaseClient.exists(new RedisKeys(keyPrefix).leader)) === 0;
      await waitFor(gone, 'the leader lease to expire', 5_000, 10);
    },
    close: async () => {
      await Promise.all([leaseClient, storeClient].map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
});

describe('RedisLeaderLease between replicas', () => {
  it('lets one of many replicas contending at once take the lease', async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => connect(redis.url)));
    try {
      const leases = clients.map((client) => new RedisLeaderLease(client, 'contended:'));

      const tokens = await Promise.all(leases.map((lease, i) => lease.acquireOrRenew(`replica-${i}`, 60_000)));

      expect(tokens.filter((token) => token !== null)).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    }
  });
});

describe('RedisLeaderLease while Redis is away', () => {
  const COMMAND_TIMEOUT_MS = 500;
  const DEADLINE_MS = 2 * COMMAND_TIMEOUT_MS;
  let server: RedisServer;
  let client: Redis;
  let lease: RedisLeaderLease;

  beforeEach(async () => {
    server = await RedisServer.start();
    client = await connect(server.url, COMMAND_TIMEOUT_MS);
    lease = new RedisLeaderLease(client, 'outage:');
  });

  afterEach(async () => {
    await client.quit().catch(() => client.disconnect());
    await server?.destroy();
  });

  it('rejects acquireOrRenew promptly with StoreUnavailableError while Redis is stopped', async () => {
    await lease.acquireOrRenew('replica-a', 60_000);
    await server.stop();

    const outcome = settlesWithin(lease.acquireOrRenew('replica-a', 60_000), DEADLINE_MS, 'acquireOrRenew');

    await expect(outcome).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('rejects release promptly with StoreUnavailableError while Redis is stopped', async () => {
    await lease.acquireOrRenew('replica-a', 60_000);
    await server.stop();

    const outcome = settlesWithin(lease.release('replica-a'), DEADLINE_MS, 'release');

    await expect(outcome).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('hands out a token again once Redis is back', async () => {
    await server.stop();
    await server.startAgain();

    const token = await waitFor(() => lease.acquireOrRenew('replica-a', 60_000).then((t) => t ?? false), 'the lease');
    expect(token).toBeGreaterThan(0);
  });
});
