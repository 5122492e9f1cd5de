import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisStore } from '../../src/store/redis/redis.store';

/** What Samplane uses unless REDIS_COMMAND_TIMEOUT says otherwise. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/**
 * A RedisStore built the way the application builds it (same client options), connected
 * before it is handed out so a test starts from a known state.
 */
export async function connectRedisStore(
  url: string,
  keyPrefix: string,
  commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
): Promise<RedisStore> {
  const client = createRedisClient({ url, commandTimeoutMs });
  // Without a listener an 'error' event would be thrown; outages are expected in these tests.
  client.on('error', () => undefined);
  await client.connect();
  return new RedisStore(client, keyPrefix);
}
