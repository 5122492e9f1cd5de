import type Redis from 'ioredis';
import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisLeaderLease } from '../../src/store/redis/redis-leader-lease';
import { RedisServer } from '../support/redis-server';

// A Redis without persistence that restarts loses the token counter with everything else. If
// tokens then began again at 1, a leader holding token 1 before the loss would take token 1
// again and carry on as if nothing happened, over a window whose counts were lost.
describe('RedisLeaderLease after Redis lost its data', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await RedisServer.start();
    client = createRedisClient({ url: redis.url, commandTimeoutMs: 1_000 });
    client.on('error', () => undefined);
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.destroy();
  });

  it('gives the same holder a strictly greater token than before the loss', async () => {
    const lease = new RedisLeaderLease(client, 'loss:');
    const before = await lease.acquireOrRenew('replica-a', 60_000);
    expect(before).not.toBeNull();
    await client.flushall();
    const after = await lease.acquireOrRenew('replica-a', 60_000);
    expect(after).not.toBeNull();
    expect(after as number).toBeGreaterThan(before as number);
    // And it keeps increasing by one per new holder from there.
    await lease.release('replica-a');
    expect(await lease.acquireOrRenew('replica-b', 60_000)).toBe((after as number) + 1);
  });
});
