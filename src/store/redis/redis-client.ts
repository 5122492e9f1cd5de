import { readFileSync } from 'node:fs';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisConnectionSecurity, RedisTarget } from '../../config/redis-target';

/** One Redis, a Sentinel-managed primary (both `Redis`), or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

export interface RedisClientOptions {
  /** One Redis by URL (`redis://` or `rediss://`); or `target` for every mode. */
  url?: string;
  target?: RedisTarget;
  security?: RedisConnectionSecurity;
  /** A command slower than this fails, so a slow Redis can never hold a caller for long. */
  commandTimeoutMs: number;
  onStateChange?: (state: 'ready' | 'down', reason?: string) => void;
  /**
   * Cluster only: whether a pipeline whose every command lost its node's connection is sent
   * again after a moment (ioredis's failover retry; default on). Off where the caller writes
   * again itself what failed (flushes' APPENDs, see `UnwrittenSlots`): twice would only write
   * it twice, and a failed flush tells the leader's wait to hold that replica's watermark.
   */
  resendLost?: boolean;
}

/**
 * One place that decides how Samplane talks to Redis. Commands fail at once while the
 * connection is down (no offline queue, no per-command retries): every caller already keeps
 * its last known state, and a queue would only turn an outage into a late burst of stale writes.
 * Reconnection goes on in the background with a capped backoff.
 */
export function createRedisClient(options: RedisClientOptions & { url: string }): Redis;
export function createRedisClient(options: RedisClientOptions): RedisConnection;
export function createRedisClient(options: RedisClientOptions): RedisConnection {
  const target: RedisTarget | undefined = options.target ?? (options.url ? { kind: 'single', url: options.url } : undefined);
  if (!target) throw new Error('createRedisClient needs a url or a target');
  const common = connectionOptions(options);
  const client: RedisConnection =
    target.kind === 'cluster'
      ? new Cluster(target.nodes, {
          lazyConnect: true,
          enableOfflineQueue: false,
          // While a master fails over, its slots answer nothing for a moment: ask again soon.
          clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
          retryDelayOnFailover: options.resendLost === false ? 0 : 100,
          retryDelayOnClusterDown: 200,
          slotsRefreshTimeout: Math.max(options.commandTimeoutMs, 1_000),
          redisOptions: { ...common, ...security(options.security) },
        })
      : target.kind === 'sentinel'
        ? new Redis({
            ...common,
            ...security(options.security),
            ...sentinelSecurity(options.security),
            sentinels: target.sentinels,
            name: target.master,
            // Sentinel announces a failover at once; without it the switch waits for an error.
            failoverDetector: true,
            sentinelRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
          })
        : new Redis(target.url, { ...common, ...urlTls(target.url, options.security) });
  let last: 'ready' | 'down' | undefined;
  const report = (state: 'ready' | 'down', reason?: string): void => {
    if (state === last) return;
    last = state;
    options.onStateChange?.(state, reason);
  };
  rememberClosing(client);
  client.on('ready', () => {
    // Connected again on purpose after a close (or a QUIT refused unsent): ends are undone again.
    closing.delete(client);
    report('ready');
  });
  client.on('error', (error: Error) => report('down', error.message));
  client.on('end', () => {
    report('down', 'connection closed');
    reviveUnlessClosed(client);
  });
  client.on('close', () => report('down', 'connection closed'));
  return client;
}

/** Clients closed on purpose (QUIT, or disconnect() without reconnecting); any other that ends is connected again. */
const closing = new WeakSet<RedisConnection>();

/** Every way to close `client` on purpose is remembered, whoever calls it. */
function rememberClosing(client: RedisConnection): void {
  const { quit, disconnect } = client;
  client.quit = ((...args: Parameters<typeof quit>) => {
    closing.add(client);
    return quit.apply(client, args);
  }) as typeof quit;
  // disconnect(true) is ioredis reconnecting (after READONLY, for one): not a close.
  client.disconnect = ((reconnect?: boolean) => {
    if (!reconnect) closing.add(client);
    disconnect.call(client, reconnect);
  }) as typeof disconnect;
}

/**
 * ioredis gives a connection up for good ("Connection is closed." to every command after) when
 * a connect attempt is cut short, as its Sentinel failover detector does when the switch is
 * announced while the client is already reconnecting: such a client is connected again, as
 * its retry strategy would have.
 */
function reviveUnlessClosed(client: RedisConnection): void {
  if (closing.has(client)) return;
  setTimeout(() => {
    if (!closing.has(client) && client.status === 'end') client.connect().catch(() => undefined);
  }, REVIVE_AFTER_MS).unref();
}

const REVIVE_AFTER_MS = 500;

function connectionOptions(options: RedisClientOptions): RedisOptions {
  return {
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
  };
}

/** `servername` only for the data nodes: Sentinels are checked against their own addresses. */
function tlsOptions(security: RedisConnectionSecurity | undefined, withServername = true): RedisOptions['tls'] {
  const tls = security?.tls;
  if (!tls) return undefined;
  return {
    ...(tls.caFile && { ca: readFileSync(tls.caFile) }),
    ...(tls.certFile && { cert: readFileSync(tls.certFile) }),
    ...(tls.keyFile && { key: readFileSync(tls.keyFile) }),
    // Node checks the certificate against `servername` when given, and sends it as SNI.
    ...(withServername && tls.servername && { servername: tls.servername }),
  };
}

/** Credentials and TLS for cluster nodes and Sentinel-managed primaries. */
function security(options: RedisConnectionSecurity | undefined): RedisOptions {
  const tls = tlsOptions(options);
  return {
    ...(options?.username && { username: options.username }),
    ...(options?.password && { password: options.password }),
    ...(tls && { tls }),
  };
}

/**
 * Behind Sentinels ioredis reaches the primary over TLS only when told twice (`tls` and
 * `enableTLSForSentinelMode`); the Sentinels' own connections take `sentinelTLS` and credentials of their own.
 */
function sentinelSecurity(options: RedisConnectionSecurity | undefined): RedisOptions {
  const tls = tlsOptions(options, false);
  return {
    ...(tls && { enableTLSForSentinelMode: true }),
    ...(options?.sentinelTls && { sentinelTLS: tls ?? {} }),
    ...(options?.sentinelUsername && { sentinelUsername: options.sentinelUsername }),
    ...(options?.sentinelPassword && { sentinelPassword: options.sentinelPassword }),
  };
}

/** A `rediss://` URL turns TLS on by itself; REDIS_TLS_* files add a CA or a client certificate. */
function urlTls(url: string, options: RedisConnectionSecurity | undefined): RedisOptions {
  const tls = tlsOptions(options);
  if (tls) return { tls };
  return url.startsWith('rediss:') ? { tls: {} } : {};
}

/** The bulk connection's timeout: five command timeouts, at least 5 s. */
export function bulkTimeoutMs(commandTimeoutMs: number): number {
  return Math.max(5 * commandTimeoutMs, 5_000);
}

/** Whether `client` connected within `ms`; it keeps reconnecting in the background either way. */
export function connectWithin(client: RedisConnection, ms: number): Promise<boolean> {
  const connecting = client.connect().then(
    () => true,
    () => false,
  );
  return within(connecting, ms);
}

/** How long QUIT may wait behind what is under way (at a million operations, a state save). */
export const CLOSE_WITHIN_MS = 1_000;

/**
 * Closes `client` and waits until it has: QUIT after what was already sent, or, still busy
 * after `ms` (a large write under way), closed from this side. A thread that ends next must
 * have no socket left reading.
 */
export async function closeWithin(client: RedisConnection, ms: number): Promise<void> {
  // Reconnecting, it has no socket, and disconnecting it ends no stream: no 'end' to wait for.
  const open = client.status !== 'end' && client.status !== 'reconnecting';
  const ended = new Promise<boolean>((resolve) => client.once('end', () => resolve(true)));
  const quitted = client.quit().then(
    () => true,
    () => false,
  );
  await within(quitted, ms);
  // Also after a QUIT answered: ioredis closes a Sentinel client's connections to the
  // sentinels only here (a Cluster that ended has none left). It destroys a socket still open
  // once disconnectTimeout has passed.
  if (client.status !== 'end' || !(client instanceof Cluster)) client.disconnect();
  if (open && client.status !== 'end') await within(ended, ms);
}

function within(promise: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([promise, new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}
