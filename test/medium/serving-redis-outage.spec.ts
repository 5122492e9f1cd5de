import type { RedisStore } from '../../src/store/redis/redis.store';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import {
  adaptiveAnswer,
  holdLeaderLease,
  IDLE_ENGINE_ENV,
  pollSorted,
  readyz,
  waitUntilReadyz,
  waitUntilServed,
} from './served-strategies';

/**
 * A Redis outage seen from the outside: the built process keeps answering polls with what it
 * last copied, says "not ready" while Redis is away, and catches up by itself when it returns.
 * The test plays the leader by writing snapshots straight into Redis.
 */
describe('serving through a Redis outage', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let leader: RedisStore;

  const before = { 'GET /cart': 0.25, 'POST /pay': 1 };
  const after = { 'GET /cart': 0.05, 'GET /orders': 0.5 };

  beforeAll(async () => {
    redis = await RedisServer.start();
    await holdLeaderLease(redis.port);
    samplane = await SamplaneProcess.start({
      ...IDLE_ENGINE_ENV,
      REDIS_URL: redis.url,
      SNAPSHOT_RELOAD_INTERVAL: '200ms',
      REDIS_COMMAND_TIMEOUT: '500ms',
    });
    leader = await connectRedisStore(redis.url, 'samplane:');
  });

  afterAll(async () => {
    await leader?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  it('serves probabilities written to Redis as the adaptive strategy', async () => {
    await expect(readyz(samplane)).resolves.toMatchObject({ status: 200, body: { status: 'ready' } });

    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: before } });

    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(before));
  });

  it('keeps serving the same strategies while Redis is down, and reports not ready', async () => {
    await redis.stop();

    const report = await waitUntilReadyz(samplane, 503);
    expect(report.body).toMatchObject({ status: 'not ready', checks: { store: { status: 'down', kind: 'redis' } } });
    await waitFor(
      () => samplane.output.includes('cannot read probabilities from the store'),
      'a reload to fail against the stopped Redis',
    );
    for (let i = 0; i < 10; i++) {
      await expect(pollSorted(samplane, 'checkout')).resolves.toEqual(adaptiveAnswer(before));
    }
  });

  it('is ready again when Redis returns empty, and still serves the last known strategies', async () => {
    await redis.startAgain();

    await waitUntilReadyz(samplane, 200);
    // The empty Redis has been read by now: the reconnect reload goes out on the connection
    // before the readiness ping, and reloads keep running every 200 ms.
    await waitFor(() => leader.ping().then(() => true), 'the leader to reconnect');
    await expect(leader.probabilitiesVersion()).resolves.toBe(0);
    for (let i = 0; i < 10; i++) {
      await expect(pollSorted(samplane, 'checkout')).resolves.toEqual(adaptiveAnswer(before));
    }
  });

  it('serves the first snapshot written after the restart, though its version number was used before', async () => {
    const version = await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: after } });

    expect(version).toBe(1);
    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(after));
  });
});
