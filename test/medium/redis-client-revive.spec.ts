import type Redis from 'ioredis';
import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

/**
 * ioredis ends a connection for good when a connect attempt is cut short by its connector,
 * which is what its Sentinel failover detector does on `+switch-master` while the client is
 * already reconnecting (seen here as calculations failing with "Connection is closed." until
 * a restart). Samplane's clients come back from that; closed on purpose, they stay closed.
 */
describe('a Redis client ioredis gave up on', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.destroy();
  });

  const client = (): Redis => {
    const made = createRedisClient({ url: redis.url, commandTimeoutMs: 1_000 });
    made.on('error', () => undefined);
    clients.push(made);
    return made;
  };

  /** What the failover detector does: the connector closed under a connect attempt. */
  const cutShort = async (made: Redis): Promise<void> => {
    const attempt = made.connect();
    (made as unknown as { connector: { disconnect(): void } }).connector.disconnect();
    await expect(attempt).rejects.toThrow('Connection is closed.');
    expect(made.status).toBe('end');
  };

  it('connects again, and answers', async () => {
    const made = client();
    await cutShort(made);
    await waitFor(() => made.status === 'ready', 'the client to connect again', 5_000, 20);
    expect(await made.ping()).toBe('PONG');
  });

  it.each([
    ['QUIT', (made: Redis): Promise<unknown> => made.quit()],
    ['disconnect()', (made: Redis): Promise<unknown> => Promise.resolve(made.disconnect())],
  ])('stays closed after %s', async (_how, close) => {
    const made = client();
    await made.connect();
    await close(made);
    await waitFor(() => made.status === 'end', 'the client to close', 5_000, 20);
    // Longer than the revival's delay.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(made.status).toBe('end');
  });
});
