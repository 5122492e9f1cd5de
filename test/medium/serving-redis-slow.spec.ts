import type { RedisStore } from '../../src/store/redis/redis.store';
import { redisCli } from '../support/redis-cli';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { SamplaneProcess } from '../support/samplane-process';
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
 * A Redis that accepts connections but does not answer (paused, swapping, stuck on a slow
 * command) is worse than one that is down: nothing fails fast. Polls must not notice at all.
 */
describe('serving while Redis is slow', () => {
  const PAUSE_MS = 3_000;
  // Far below the pause: a poll that waited on Redis would blow it.
  const POLL_DEADLINE_MS = 1_000;
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let leader: RedisStore;

  beforeAll(async () => {
    redis = await RedisServer.start();
    await holdLeaderLease(redis.port);
    samplane = await SamplaneProcess.start({
      ...IDLE_ENGINE_ENV,
      REDIS_URL: redis.url,
      SNAPSHOT_RELOAD_INTERVAL: '200ms',
      REDIS_COMMAND_TIMEOUT: '300ms',
    });
    leader = await connectRedisStore(redis.url, 'samplane:');
  });

  afterAll(async () => {
    await leader?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  it('answers every poll while Redis does not answer, and recovers afterwards', async () => {
    const before = { 'GET /cart': 0.25, 'POST /pay': 1 };
    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: before } });
    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(before));

    const pausedUntil = Date.now() + PAUSE_MS;
    await redisCli(redis.port, 'CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');

    const report = await readyz(samplane);
    expect(report.status).toBe(503);
    expect(report.body).toMatchObject({ checks: { store: { status: 'down', kind: 'redis' } } });
    // Reloads keep hitting the paused Redis meanwhile (every 200 ms, each timing out).
    let polls = 0;
    while (Date.now() < pausedUntil - POLL_DEADLINE_MS) {
      const round = Array.from({ length: 5 }, () =>
        pollSorted(samplane, 'checkout', AbortSignal.timeout(POLL_DEADLINE_MS)),
      );
      for (const answer of await Promise.all(round)) expect(answer).toEqual(adaptiveAnswer(before));
      polls += round.length;
    }
    expect(polls).toBeGreaterThan(0);

    await waitUntilReadyz(samplane, 200);
    const next = { 'GET /cart': 0.5 };
    await leader.saveProbabilities({ computedAt: Date.now(), probabilities: { checkout: next } });
    await waitUntilServed(samplane, 'checkout', adaptiveAnswer(next));
  });
});
