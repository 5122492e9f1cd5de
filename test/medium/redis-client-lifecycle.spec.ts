import type Redis from 'ioredis';
import { closeWithin, createRedisClient } from '../../src/store/redis/redis-client';
import { RedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait';

describe('Samplane’s Redis clients', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.destroy();
  });

  const client = (url = redis.url, commandTimeoutMs = 1_000): Redis => {
    const made = createRedisClient({ url, commandTimeoutMs });
    made.on('error', () => undefined);
    clients.push(made);
    return made;
  };

  /**
   * ioredis ends a connection for good when a connect attempt is cut short by its connector,
   * which is what its Sentinel failover detector does on `+switch-master` while the client is
   * already reconnecting (seen here as calculations failing with "Connection is closed." until
   * a restart). Samplane's clients come back from that; closed on purpose, they stay closed.
   */
  describe('one ioredis gave up on', () => {
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

  /**
   * The calculation thread ends right after closing its connections, so closing must leave no
   * socket reading: QUIT when the connection is free, and when it is busy (a large save under
   * way at a stop) the connection is closed from this side rather than waited on.
   */
  describe('closeWithin', () => {
    const connected = async (): Promise<Redis> => {
      const made = client(redis.url, 60_000);
      await made.connect();
      return made;
    };
    const quits = async () => Number(/cmdstat_quit:calls=(\d+)/.exec(await redis.cli('INFO', 'commandstats'))?.[1] ?? 0);

    it('sends QUIT to a free connection and resolves once it has ended', async () => {
      const made = await connected();
      const before = await quits();
      await closeWithin(made, 5_000);
      expect(made.status).toBe('end');
      expect((await quits()) - before).toBe(1);
    });

    it('closes a busy connection from this side instead of waiting behind its command', async () => {
      const made = await connected();
      // Blocks this connection (only) for a minute: a QUIT sent now is answered after it.
      const outcome = made.blpop('never-pushed', 60).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      await closeWithin(made, 1_000);
      expect(made.status).toBe('end');
      expect(await outcome).toMatch(/closed/i);
    });

    it('resolves for a connection that never connected', async () => {
      const made = client('redis://127.0.0.1:1');
      await closeWithin(made, 200);
      expect(made.status).toBe('end');
    });
  });
});
