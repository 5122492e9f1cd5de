import Redis from 'ioredis';

export interface RedisClientOptions {
  url: string;
  /** A command slower than this fails, so a slow Redis can never hold a caller for long. */
  commandTimeoutMs: number;
  onStateChange?: (state: 'ready' | 'down', reason?: string) => void;
}

/**
 * One place that decides how Samplane talks to Redis. Commands fail at once while the
 * connection is down (no offline queue, no per-command retries): every caller already keeps
 * its last known state, and a queue would only turn an outage into a late burst of stale writes.
 * Reconnection goes on in the background with a capped backoff.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
    // disconnect() is only reached when QUIT could not be sent, so the socket is already gone
    // or useless; ioredis would otherwise keep a timer (and the process) alive for 2 s on it.
    disconnectTimeout: 200,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
    // Only a failover (the old primary now a read-only replica) is cured by reconnecting.
    // Any other error reply (WRONGTYPE on a stray key, a script error) belongs to that one
    // command: dropping the connection for it would fail every other caller's commands too.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  });
  let last: 'ready' | 'down' | undefined;
  const report = (state: 'ready' | 'down', reason?: string): void => {
    if (state === last) return;
    last = state;
    options.onStateChange?.(state, reason);
  };
  client.on('ready', () => report('ready'));
  client.on('error', (error: Error) => report('down', error.message));
  client.on('end', () => report('down', 'connection closed'));
  client.on('close', () => report('down', 'connection closed'));
  return client;
}
