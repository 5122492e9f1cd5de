import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../engine/clock';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { MetricsService } from '../telemetry/metrics.service';
import { ANNOUNCER, type Announcer } from './announcer';
import { HISTORY_STORE, type HistoryStore } from './history-store';
import { storeSizing } from './store-sizing';
import { LEADER_LEASE, type LeaderLease } from './leader-lease';
import { MemoryAnnouncer } from './memory/memory-announcer';
import { MemoryHistoryStore } from './memory/memory-history.store';
import { MemoryLeaderLease } from './memory/memory-leader-lease';
import { MemoryThroughputStore } from './memory/memory-throughput.store';
import { MemoryStore } from './memory/memory.store';
import { RedisAnnouncer } from './redis/redis-announcer';
import { CLOSE_WITHIN_MS, bulkTimeoutMs, closeWithin, connectWithin, createRedisClient } from './redis/redis-client';
import { RedisHistoryStore } from './redis/redis-history.store';
import { RedisLeaderLease } from './redis/redis-leader-lease';
import { RedisThroughputStore } from './redis/redis-throughput.store';
import { RedisStore } from './redis/redis.store';
import { SAMPLING_STORE, type SamplingStore } from './store';
import { THROUGHPUT_STORE, type ThroughputStore } from './throughput-store';

/** How long start-up waits for Redis before serving without it (it keeps reconnecting). */
const INITIAL_CONNECT_WAIT_MS = 3_000;

/** Everything shared between replicas, from one backend. */
interface SharedState {
  store: SamplingStore;
  throughput: ThroughputStore;
  history: HistoryStore;
  lease: LeaderLease;
  announcer: Announcer;
  close(): Promise<void>;
}

const SHARED_STATE = Symbol('SHARED_STATE');

async function createSharedState(config: AppConfig, logger: AppLogger, metrics: MetricsService, clock: Clock): Promise<SharedState> {
  const { slotMs, retentionMs, keptMs, bounds, window } = storeSizing(config);
  const target = config.redis;
  if (!target) {
    logger.info('no REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: using the embedded in-memory store (single replica)');
    metrics.storeReachable(true);
    const lease = new MemoryLeaderLease(clock);
    return {
      store: new MemoryStore(lease),
      throughput: new MemoryThroughputStore(slotMs, retentionMs, window, keptMs),
      history: new MemoryHistoryStore(bounds),
      lease,
      announcer: new MemoryAnnouncer(),
      close: () => Promise.resolve(),
    };
  }
  const connection = { target, security: config.redisSecurity, commandTimeoutMs: config.redisCommandTimeoutMs };
  const client = createRedisClient({
    ...connection,
    onStateChange: (state, reason) => {
      metrics.storeReachable(state === 'ready');
      if (state === 'ready') logger.info('redis connected');
      else logger.warn({ reason }, 'redis unavailable; serving the last known strategies');
    },
  });
  const subscriber = createRedisClient(connection);
  subscriber.on('error', () => undefined);
  // Snapshots and throughput move megabytes for a large fleet: on a connection of their own,
  // with a longer timeout, they never queue the lease's renewals or a flush behind them. A
  // flush's appends lost with a node are sent again by the next flush, not by the client (see `UnwrittenSlots`).
  const bulk = createRedisClient({ ...connection, commandTimeoutMs: bulkTimeoutMs(config.redisCommandTimeoutMs), resendLost: false });
  bulk.on('error', () => undefined);
  const [connected] = await Promise.all([connectWithin(client, INITIAL_CONNECT_WAIT_MS), connectWithin(bulk, INITIAL_CONNECT_WAIT_MS)]);
  void connectWithin(subscriber, INITIAL_CONNECT_WAIT_MS);
  if (!connected) logger.warn('redis not reachable at start-up; serving defaults and retrying in the background');
  else logger.info({ mode: target.kind }, 'redis store ready');
  const prefix = config.redisKeyPrefix;
  const store = new RedisStore(bulk, prefix, client);
  const announcer = new RedisAnnouncer(client, subscriber, prefix);
  return {
    store,
    throughput: new RedisThroughputStore(bulk, prefix, slotMs, retentionMs, window, keptMs),
    history: new RedisHistoryStore(client, prefix, bounds),
    lease: new RedisLeaderLease(client, prefix),
    announcer,
    close: async () => {
      await Promise.all([announcer.close(), store.close(), closeWithin(client, CLOSE_WITHIN_MS)]);
    },
  };
}

@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SHARED_STATE) private readonly state: SharedState) {}

  async onApplicationShutdown(): Promise<void> {
    await this.state.close();
  }
}

@Global()
@Module({
  providers: [
    { provide: SHARED_STATE, inject: [APP_CONFIG, APP_LOGGER, MetricsService, CLOCK], useFactory: createSharedState },
    { provide: SAMPLING_STORE, inject: [SHARED_STATE], useFactory: (s: SharedState) => s.store },
    { provide: THROUGHPUT_STORE, inject: [SHARED_STATE], useFactory: (s: SharedState) => s.throughput },
    { provide: HISTORY_STORE, inject: [SHARED_STATE], useFactory: (s: SharedState) => s.history },
    { provide: LEADER_LEASE, inject: [SHARED_STATE], useFactory: (s: SharedState) => s.lease },
    { provide: ANNOUNCER, inject: [SHARED_STATE], useFactory: (s: SharedState) => s.announcer },
    StoreLifecycle,
  ],
  exports: [SAMPLING_STORE, THROUGHPUT_STORE, HISTORY_STORE, LEADER_LEASE, ANNOUNCER],
})
export class StoreModule {}
