import type { RedisTarget } from '../../src/config/redis-target';
import { RedisAnnouncer } from '../../src/store/redis/redis-announcer';
import { type RedisConnection, createRedisClient } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { RedisLeaderLease } from '../../src/store/redis/redis-leader-lease';
import { RedisThroughputStore } from '../../src/store/redis/redis-throughput.store';
import { RedisStore } from '../../src/store/redis/redis.store';
import { waitFor } from '../support/wait';
import { describeAnnouncerContract } from './announcer-contract';
import { describeLeaderLeaseContract } from './leader-lease-contract';
import { describeStoreContract } from './store-contract';
import { describeThroughputStoreContract } from './throughput-store-contract';

/** Failover and slot moves take longer than one command: a generous timeout, as operators set. */
const COMMAND_TIMEOUT_MS = 3_000;

/** A connection built the way the application builds it for `target`, connected before use. */
export async function connectTo(target: RedisTarget): Promise<RedisConnection> {
  const client = createRedisClient({ target, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function quit(...clients: RedisConnection[]): Promise<void> {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}

/** Every store contract the single-Redis suites run, against another topology. */
export function describeEveryStoreContract(name: string, target: () => RedisTarget): void {
  describeStoreContract(`RedisStore on ${name}`, async (keyPrefix) => new RedisStore(await connectTo(target()), keyPrefix));

  describeThroughputStoreContract(`RedisThroughputStore on ${name}`, async ({ keyPrefix, slotMs, retentionMs, maxWindowMs }) => {
    const client = await connectTo(target());
    return { store: new RedisThroughputStore(client, keyPrefix, slotMs, retentionMs, maxWindowMs), close: () => quit(client) };
  });

  describeLeaderLeaseContract(`RedisLeaderLease with RedisStore on ${name}`, async (keyPrefix) => {
    const leaseClient = await connectTo(target());
    const storeClient = await connectTo(target());
    return {
      lease: new RedisLeaderLease(leaseClient, keyPrefix),
      store: new RedisStore(storeClient, keyPrefix),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      lapse: async () => {
        const gone = async (): Promise<boolean> => (await leaseClient.exists(new RedisKeys(keyPrefix).leader)) === 0;
        await waitFor(gone, 'the leader lease to expire', 5_000, 10);
      },
      close: () => quit(leaseClient, storeClient),
    };
  });

  describeAnnouncerContract(`RedisAnnouncer on ${name}`, async (keyPrefix) => {
    const publisher = createRedisClient({ target: target(), commandTimeoutMs: COMMAND_TIMEOUT_MS });
    const subscriber = createRedisClient({ target: target(), commandTimeoutMs: COMMAND_TIMEOUT_MS });
    for (const c of [publisher, subscriber]) c.on('error', () => undefined);
    const announcer = new RedisAnnouncer(publisher, subscriber, keyPrefix);
    await Promise.all([publisher.connect(), subscriber.connect()]);
    return {
      announcer,
      close: async () => {
        await announcer.close();
        await quit(publisher);
      },
    };
  });
}
