import { RedisKeys } from '../../src/store/redis/redis-keys';
import type { RedisStore } from '../../src/store/redis/redis.store';
import { type SamplingStore, StoreUnavailableError } from '../../src/store/store';
import { redisCli } from '../support/redis-cli';
import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { settlesWithin } from '../support/settle';
import { waitFor } from '../support/wait';
import { snapshot } from './store-contract';

/**
 * What the Redis store does when Redis is away or slow. Callers (polls' background sync,
 * readiness, the engine) rely on every call ending quickly with StoreUnavailableError so they
 * can keep their last known state, and on the same store recovering by itself.
 */
const COMMAND_TIMEOUT_MS = 500;
// Twice the command timeout: loose enough for a loaded machine, far below "hangs".
const DEADLINE_MS = 2 * COMMAND_TIMEOUT_MS;

const calls: Record<string, (store: SamplingStore) => Promise<unknown>> = {
  loadProbabilities: (store) => store.loadProbabilities(),
  loadInputs: (store) => store.loadInputs(),
  loadState: (store) => store.loadState({ layout: 'samplane/1 10x5', accepts: () => true }, () => undefined),
  probabilitiesVersion: (store) => store.probabilitiesVersion(),
  saveProbabilities: (store) => store.saveProbabilities(snapshot(1)),
  saveState: (store) =>
    store.saveState({
      version: 1,
      computedAt: 1,
      dataThrough: 1,
      services: ['checkout'],
      state: { layout: 'samplane/1 10x5', buckets: 1, of: () => ({ ops: ['GET'], numbers: new Float64Array(10), flags: new Uint8Array(5) }) },
    }),
  ping: (store) => store.ping(),
};

describe('RedisStore while Redis is away or slow', () => {
  let redis: RedisServer;
  let store: RedisStore;
  let prefixes = 0;

  beforeEach(async () => {
    redis = await RedisServer.start();
    prefixes += 1;
    store = await connectRedisStore(redis.url, `outage-${prefixes}:`, COMMAND_TIMEOUT_MS);
  });

  afterEach(async () => {
    await store?.close();
    await redis?.destroy();
  });

  it.each(Object.keys(calls))('%s rejects promptly with StoreUnavailableError while Redis is stopped', async (name) => {
    await redis.stop();

    const outcome = settlesWithin(calls[name](store), DEADLINE_MS, name);

    await expect(outcome).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('keeps rejecting promptly for as long as Redis stays down', async () => {
    await redis.stop();

    // Reconnection attempts go on in the background; none of them may make a call wait.
    for (let round = 0; round < 5; round++) {
      for (const [name, call] of Object.entries(calls)) {
        await expect(settlesWithin(call(store), DEADLINE_MS, name)).rejects.toBeInstanceOf(StoreUnavailableError);
      }
    }
  });

  it('works again, and tells its onReconnect listeners, once Redis is back', async () => {
    await store.saveProbabilities(snapshot(1));
    let reconnects = 0;
    store.onReconnect(() => (reconnects += 1));
    await redis.stop();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);

    await redis.startAgain();

    await waitFor(() => reconnects > 0, 'onReconnect listeners to be called');
    await expect(store.ping()).resolves.toBeUndefined();
    // Redis runs without persistence: it comes back empty and numbering starts over.
    await expect(store.probabilitiesVersion()).resolves.toBe(0);
    await expect(store.saveProbabilities(snapshot(2))).resolves.toBe(1);
    await expect(store.loadProbabilities()).resolves.toEqual({ version: 1, ...snapshot(2) });
  });

  it('rejects promptly while Redis is paused, then answers correctly again', async () => {
    await store.saveProbabilities(snapshot(1));
    await store.saveProbabilities(snapshot(2));
    await redisCli(redis.port, 'CLIENT', 'PAUSE', String(4 * COMMAND_TIMEOUT_MS), 'ALL');

    // Not saveProbabilities: a write that timed out still lands once Redis answers again.
    const reads = ['loadProbabilities', 'probabilitiesVersion', 'ping'].map((name) =>
      expect(settlesWithin(calls[name](store), DEADLINE_MS, name)).rejects.toBeInstanceOf(StoreUnavailableError),
    );
    await Promise.all(reads);

    // Replies to the timed-out commands arrive after the pause; none may be taken for the
    // answer to a later command.
    await waitFor(() => store.ping().then(() => true), 'Redis to answer once the pause is over');
    await expect(store.saveProbabilities(snapshot(3))).resolves.toBe(3);
    await expect(store.probabilitiesVersion()).resolves.toBe(3);
    await expect(store.loadProbabilities()).resolves.toEqual({ version: 3, ...snapshot(3) });
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('reports a foreign value under its keys without dropping the connection', async () => {
    let reconnects = 0;
    store.onReconnect(() => (reconnects += 1));
    await redisCli(redis.port, 'HSET', new RedisKeys(`outage-${prefixes}:`).version, 'not', 'a counter');

    await expect(store.probabilitiesVersion()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.saveProbabilities(snapshot(1))).rejects.toBeInstanceOf(StoreUnavailableError);

    await expect(store.ping()).resolves.toBeUndefined();
    await redisCli(redis.port, 'DEL', new RedisKeys(`outage-${prefixes}:`).version);
    await expect(store.saveProbabilities(snapshot(1))).resolves.toBe(1);
    expect(reconnects).toBe(0);
  });

  it('closes promptly while Redis is down', async () => {
    await redis.stop();

    await expect(settlesWithin(store.close(), DEADLINE_MS, 'close')).resolves.toBeUndefined();
  });
});
