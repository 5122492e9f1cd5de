import { PROBABILITY_SHARDS, RedisKeys, STORE_FORMAT, shardOf } from '../../src/store/redis/redis-keys';
import type { RedisStore } from '../../src/store/redis/redis.store';
import { redisCli } from '../support/redis-cli';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { IDLE_ENGINE_ENV, adaptiveAnswer, holdLeaderLease, pollSorted, waitUntilServed } from './served-strategies';

/**
 * A rolling upgrade seen from an old replica: a newer Samplane writes a stored format this one
 * does not know. It keeps serving its last snapshot and says why, rather than crashing or
 * mis-reading; once the format is one it reads again, it follows.
 */
describe('a replica meeting a stored format it does not know', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let leader: RedisStore;
  const keys = new RedisKeys('samplane:');
  const known = { 'GET /cart': 0.25 };

  beforeAll(async () => {
    redis = await RedisServer.start();
    await holdLeaderLease(redis.port);
    samplane = await SamplaneProcess.start({ ...IDLE_ENGINE_ENV, REDIS_URL: redis.url, SNAPSHOT_RELOAD_INTERVAL: '200ms' });
    leader = await connectRedisStore(redis.url, 'samplane:');
    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: known } });
    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(known));
  });

  afterAll(async () => {
    await leader?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  it('keeps serving its last snapshot and logs the format it found', async () => {
    const newer = STORE_FORMAT + 1;
    const future = JSON.stringify({ format: newer, written: 'by a newer version', shards: 'elsewhere' });
    await redisCli(redis.port, 'SET', keys.manifest, future);
    await redisCli(redis.port, 'INCR', keys.version);

    await waitFor(() => samplane.output.includes(`format ${newer}`), 'the replica to say which format it found');
    expect(samplane.output).toContain(
      `stored probabilities have format ${newer}; this replica reads format ${STORE_FORMAT} and keeps serving its last snapshot`,
    );
    for (let i = 0; i < 10; i++) await expect(pollSorted(samplane, 'checkout')).resolves.toEqual(adaptiveAnswer(known));
    expect((await fetch(`${samplane.url}/healthz`)).status).toBe(200);
  });

  it('follows again once the stored format is one it reads', async () => {
    const next = { 'GET /cart': 0.5 };
    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: next } });
    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(next));
  });

  it('reads the probabilities the previous format (2) holds, so upgrading replicas keep the rates', async () => {
    const older = { 'GET /cart': 0.125 };
    // Format 2 kept the explanations inside the served shards, one chunk per shard.
    const shard = shardOf('checkout', PROBABILITY_SHARDS);
    const content = { checkout: { probabilities: older, qps: { 'GET /cart': 2 }, traffic: {}, inputs: {} } };
    await redisCli(redis.port, 'SET', keys.probabilityChunk(shard, 'v2', 0), JSON.stringify(content));
    const manifest = { format: 2, computedAt: Date.now(), shards: { [shard]: { generation: 'v2', chunks: 1, hash: 'v2' } } };
    await redisCli(redis.port, 'SET', keys.manifest, JSON.stringify(manifest));
    await redisCli(redis.port, 'INCR', keys.version);

    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(older));
  });
});
