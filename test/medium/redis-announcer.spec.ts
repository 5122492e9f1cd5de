import type Redis from 'ioredis';
import { TOPICS } from '../../src/store/announcer';
import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisAnnouncer } from '../../src/store/redis/redis-announcer';
import { RedisServer } from '../support/redis-server';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../support/redis-store';
import { settlesWithin } from '../support/settle';
import { Inbox, describeAnnouncerContract, listen, untilHeard } from './announcer-contract';

/** A replica's two connections, built as the application builds them. */
interface Replica {
  announcer: RedisAnnouncer;
  publisher: Redis;
  subscriber: Redis;
  close(): Promise<void>;
}

function client(url: string): Redis {
  const made = createRedisClient({ url, commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS });
  // Without a listener an 'error' event would be thrown; outages are expected in these tests.
  made.on('error', () => undefined);
  return made;
}

/** As the application does: the announcer exists before its subscriber has connected. */
async function replica(url: string, keyPrefix: string, { waitForConnection = true } = {}): Promise<Replica> {
  const publisher = client(url);
  const subscriber = client(url);
  const announcer = new RedisAnnouncer(publisher, subscriber, keyPrefix);
  const connecting = Promise.all([publisher.connect(), subscriber.connect()]);
  if (waitForConnection) await connecting;
  else connecting.catch(() => undefined);
  return {
    announcer,
    publisher,
    subscriber,
    close: async () => {
      await announcer.close();
      await publisher.quit().catch(() => publisher.disconnect());
    },
  };
}

describe('RedisAnnouncer', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await redis?.destroy();
  });

  describeAnnouncerContract('RedisAnnouncer', (keyPrefix) => replica(redis.url, keyPrefix));

  describe('between replicas', () => {
    const replicas: Replica[] = [];
    let prefixes = 0;
    let prefix: string;

    const open = async (): Promise<RedisAnnouncer> => {
      const made = await replica(redis.url, prefix);
      replicas.push(made);
      return made.announcer;
    };

    beforeEach(() => {
      prefixes += 1;
      prefix = `announcer-replicas-${process.pid}-${prefixes}:`;
    });

    afterEach(async () => {
      await Promise.all(replicas.splice(0).map((r) => r.close()));
    });

    it("delivers one replica's announcement to every replica, itself included", async () => {
      const [leader, follower] = [await open(), await open()];
      const leaderInbox = await listen(leader, TOPICS.probabilities);
      const followerInbox = await listen(follower, TOPICS.probabilities, leader);

      await leader.publish(TOPICS.probabilities, '12');

      await leaderInbox.received('12');
      await followerInbox.received('12');
      expect(leaderInbox.real).toEqual(['12']);
      expect(followerInbox.real).toEqual(['12']);
    });

    it('subscribes a listener added before its connection was ready', async () => {
      const publisher = await open();
      const late = await replica(redis.url, prefix, { waitForConnection: false });
      replicas.push(late);

      const inbox = await listen(late.announcer, TOPICS.policies, publisher);
      await publisher.publish(TOPICS.policies, 'changed');

      await inbox.received('changed');
      expect(inbox.real).toEqual(['changed']);
    });
  });

  it('closes promptly while Redis is down', async () => {
    const server = await RedisServer.start();
    const made = await replica(server.url, 'closing:');
    try {
      await listen(made.announcer, TOPICS.probabilities);
      await server.stop();

      await expect(settlesWithin(made.close(), 1_000, 'close')).resolves.toBeUndefined();
    } finally {
      await server.destroy();
    }
  });
});

describe('RedisAnnouncer across a Redis restart', () => {
  let server: RedisServer;
  const replicas: Replica[] = [];

  beforeEach(async () => {
    server = await RedisServer.start();
  });

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((r) => r.close()));
    await server?.destroy();
  });

  it('hears announcements again once Redis is back, once each', async () => {
    const leader = await replica(server.url, 'restart:');
    const follower = await replica(server.url, 'restart:');
    replicas.push(leader, follower);
    const before = await listen(follower.announcer, TOPICS.probabilities, leader.announcer);
    await leader.announcer.publish(TOPICS.probabilities, 'before');
    await before.received('before');

    await server.stop();
    await server.startAgain();

    // A probe gets through only once both connections are back and subscribed again.
    await untilHeard(before, TOPICS.probabilities, leader.announcer);
    await leader.announcer.publish(TOPICS.probabilities, 'after');
    await leader.announcer.publish(TOPICS.probabilities, 'end');

    // A doubled subscription would deliver 'after' twice, both before 'end'.
    await before.received('end');
    expect(before.real).toEqual(['before', 'after', 'end']);
  });

  it('subscribes once Redis comes up after the replica started', async () => {
    await server.stop();
    const leader = await replica(server.url, 'late-redis:', { waitForConnection: false });
    const follower = await replica(server.url, 'late-redis:', { waitForConnection: false });
    replicas.push(leader, follower);
    const inbox = new Inbox();
    follower.announcer.subscribe(TOPICS.probabilities, inbox.listener);

    await server.startAgain();

    await untilHeard(inbox, TOPICS.probabilities, leader.announcer);
    await leader.announcer.publish(TOPICS.probabilities, 'first');
    await inbox.received('first');
    expect(inbox.real).toEqual(['first']);
  });
});
