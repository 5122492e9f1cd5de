import type { RedisStore } from '../../src/store/redis/redis.store';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { SamplaneProcess } from '../support/samplane-process';
import { settlesWithin } from '../support/settle';
import {
  adaptiveAnswer,
  DEFAULT_ANSWER,
  IDLE_ENGINE_ENV,
  pollSorted,
  readyz,
  waitUntilReadyz,
  waitUntilServed,
} from './served-strategies';

/**
 * Redis is not there when Samplane starts (a cluster coming up in any order). The process
 * must not wait for it: it serves the defaults, says it is not ready, and picks Redis up later
 * without a restart.
 */
describe('starting while Redis is down', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let leader: RedisStore | undefined;

  beforeAll(async () => {
    // Start and stop once to own a port on which Redis will appear later.
    redis = await RedisServer.start();
    await redis.stop();
  });

  afterAll(async () => {
    await leader?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  it('starts within a few seconds, serves the defaults and is not ready', async () => {
    // Start-up waits at most 3 s for Redis; the rest is slack for a loaded machine (a hang
    // is what this catches).
    // Spawned first, so afterAll stops it even when start-up misses the deadline.
    samplane = await SamplaneProcess.spawn({ ...IDLE_ENGINE_ENV, REDIS_URL: redis.url, SNAPSHOT_RELOAD_INTERVAL: '200ms' });
    await settlesWithin(samplane.ready(), 25_000, 'start-up without Redis');

    await expect(pollSorted(samplane, 'checkout')).resolves.toEqual(DEFAULT_ANSWER);
    const report = await readyz(samplane);
    expect(report.status).toBe(503);
    expect(report.body).toMatchObject({ status: 'not ready', checks: { store: { status: 'down', kind: 'redis' } } });
  });

  it('becomes ready and serves computed probabilities once Redis comes up, without a restart', async () => {
    const rates = { 'GET /cart': 0.125, 'POST /pay': 0.75 };
    await redis.startAgain();
    leader = await connectRedisStore(redis.url, 'samplane:');

    await waitUntilReadyz(samplane, 200);
    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: rates } });

    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(rates));
    await expect(pollSorted(samplane, 'unknown-service')).resolves.toEqual(DEFAULT_ANSWER);
  });
});
