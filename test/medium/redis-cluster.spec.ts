import { RedisKeys } from '../../src/store/redis/redis-keys';
import { RedisStore } from '../../src/store/redis/redis.store';
import { RedisClusterFixture } from '../support/redis-topologies';
import { waitFor } from '../support/wait';
import { connectTo, describeEveryStoreContract, quit } from './redis-topology-harness';

let cluster: RedisClusterFixture;

beforeAll(async () => {
  cluster = await RedisClusterFixture.start();
}, 90_000);

afterAll(async () => {
  await cluster?.destroy();
});

describeEveryStoreContract('Redis Cluster (3 masters, 3 replicas)', () => cluster.target);

describe('RedisStore on Redis Cluster when a master fails', () => {
  it('keeps its snapshot through a master failover and saves again once the replica took over', async () => {
    const client = await connectTo(cluster.target);
    try {
      const store = new RedisStore(client, 'failover:');
      const snapshot = { computedAt: 1, probabilities: { checkout: { 'GET /cart': 0.25 } } };
      expect(await store.saveProbabilities(snapshot)).toBe(1);
      await cluster.killMaster(await cluster.masterOf(new RedisKeys('failover:').version));
      await cluster.healthy();
      const saved = await waitFor(() => store.saveProbabilities({ ...snapshot, computedAt: 2 }).catch(() => undefined), 'a save after the failover', 30_000, 200);
      expect(saved).toBe(2);
      expect(await store.loadProbabilities()).toEqual({ version: 2, ...snapshot, computedAt: 2 });
    } finally {
      await quit(client);
    }
  }, 60_000);
});
