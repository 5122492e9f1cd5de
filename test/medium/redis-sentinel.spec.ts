import { closeWithin } from '../../src/store/redis/redis-client';
import { RedisStore } from '../../src/store/redis/redis.store';
import { RedisSentinelFixture } from '../support/redis-topologies';
import { waitFor } from '../support/wait';
import { connectTo, describeEveryStoreContract, quit } from './redis-topology-harness';

let sentinel: RedisSentinelFixture;

beforeAll(async () => {
  sentinel = await RedisSentinelFixture.start();
}, 60_000);

afterAll(async () => {
  await sentinel?.destroy();
});

describeEveryStoreContract('a Sentinel-managed primary', () => sentinel.target);

describe('RedisStore through Sentinel when the primary fails', () => {
  it('follows the promoted replica and keeps the replicated snapshot', async () => {
    const client = await connectTo(sentinel.target);
    try {
      const store = new RedisStore(client, 'failover:');
      const snapshot = { computedAt: 1, probabilities: { checkout: { 'GET /cart': 0.25 } } };
      expect(await store.saveProbabilities(snapshot)).toBe(1);
      await sentinel.failover();
      const saved = await waitFor(() => store.saveProbabilities({ ...snapshot, computedAt: 2 }).catch(() => undefined), 'a save on the new primary', 30_000, 200);
      expect(saved).toBe(2);
      expect(await store.loadProbabilities()).toEqual({ version: 2, ...snapshot, computedAt: 2 });
    } finally {
      await quit(client);
    }
  }, 60_000);
});

describe('closeWithin through Sentinel', () => {
  it('closes the client’s subscriptions to the sentinels too, not only its primary', async () => {
    const total = async () => (await sentinel.switchMasterSubscribers()).reduce((sum, count) => sum + count, 0);
    const before = await total();
    const client = await connectTo(sentinel.target);
    // ioredis's failover detector subscribes to every sentinel once connected.
    await waitFor(async () => (await total()) > before, 'the client to subscribe to the sentinels', 10_000, 50);
    await closeWithin(client, 1_000);
    expect(client.status).toBe('end');
    await waitFor(async () => (await total()) === before, 'its subscriptions to close', 10_000, 50);
  });
});
