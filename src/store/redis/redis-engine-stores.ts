import type { AppConfig } from '../../config/app-config';
import type { AppLogger } from '../../telemetry/logger';
import type { HistoryStore } from '../history-store';
import type { SamplingStore } from '../store';
import { storeSizing } from '../store-sizing';
import type { ThroughputStore } from '../throughput-store';
import { CLOSE_WITHIN_MS, bulkTimeoutMs, closeWithin, connectWithin, createRedisClient } from './redis-client';
import { RedisHistoryStore } from './redis-history.store';
import { RedisThroughputStore } from './redis-throughput.store';
import { RedisStore } from './redis.store';

/** What a calculation reads and writes, on connections of its own (the calculation thread's). */
export interface EngineStores {
  store: SamplingStore;
  throughput: ThroughputStore;
  history: HistoryStore;
  /** Quits both connections, so the thread can end with no socket of its own still reading. */
  close(): Promise<void>;
}

/** The same layout and connections as the serving thread's, minus the lease and pub/sub. */
export async function connectEngineStores(config: AppConfig, logger: AppLogger): Promise<EngineStores> {
  const target = config.redis;
  if (!target) throw new Error('the calculation thread needs Redis');
  const { slotMs, retentionMs, keptMs, bounds, window } = storeSizing(config);
  const connection = { target, security: config.redisSecurity, commandTimeoutMs: config.redisCommandTimeoutMs };
  const client = createRedisClient(connection);
  const bulk = createRedisClient({ ...connection, commandTimeoutMs: bulkTimeoutMs(config.redisCommandTimeoutMs) });
  // The serving thread reports Redis's state; errors here show as failed calculations.
  client.on('error', () => undefined);
  bulk.on('error', () => undefined);
  const connected = await Promise.all([connectWithin(client, 3_000), connectWithin(bulk, 3_000)]);
  if (!connected.every(Boolean)) logger.warn('calculation thread: redis not reachable yet; retrying in the background');
  const prefix = config.redisKeyPrefix;
  return {
    // One load per term: the thread keeps no parsed snapshot between terms.
    store: new RedisStore(bulk, prefix, client, false),
    throughput: new RedisThroughputStore(bulk, prefix, slotMs, retentionMs, window, keptMs),
    history: new RedisHistoryStore(client, prefix, bounds),
    close: async () => {
      await Promise.all([client, bulk].map((connection) => closeWithin(connection, CLOSE_WITHIN_MS)));
    },
  };
}
