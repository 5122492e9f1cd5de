import type Redis from 'ioredis';
import { closeWithin, createRedisClient } from '../../src/store/redis/redis-client';
import { RedisServer } from '../support/redis-server';

/**
 * The calculation thread ends right after closing its connections, so closing must leave no
 * socket reading: QUIT when the connection is free, and when it is busy (a large save under
 * way at a stop) the connection is closed from this side rather than waited on.
 */
describe('closeWithin', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.destroy();
  });

  const connected = async (): Promise<Redis> => {
    const made = createRedisClient({ url: redis.url, commandTimeoutMs: 60_000 });
    made.on('error', () => undefined);
    clients.push(made);
    await made.connect();
    return made;
  };
  const quits = async () => Number(/cmdstat_quit:calls=(\d+)/.exec(await redis.cli('INFO', 'commandstats'))?.[1] ?? 0);

  it('sends QUIT to a free connection and resolves once it has ended', async () => {
    const client = await connected();
    const before = await quits();
    await closeWithin(client, 5_000);
    expect(client.status).toBe('end');
    expect((await quits()) - before).toBe(1);
  });

  it('closes a busy connection from this side instead of waiting behind its command', async () => {
    const client = await connected();
    // Blocks this connection (only) for a minute: a QUIT sent now is answered after it.
    const blocked = client.blpop('never-pushed', 60);
    const outcome = blocked.then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await closeWithin(client, 200);
    expect(client.status).toBe('end');
    expect(await outcome).toMatch(/closed/i);
  });

  it('resolves for a connection that never connected', async () => {
    const client = createRedisClient({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 1_000 });
    client.on('error', () => undefined);
    clients.push(client);
    await closeWithin(client, 200);
    expect(client.status).toBe('end');
  });
});
