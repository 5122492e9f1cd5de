import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { MetricsService } from '../telemetry/metrics.service';
import { MemoryStore } from './memory/memory.store';
import { createRedisClient } from './redis/redis-client';
import { RedisStore } from './redis/redis.store';
import { SAMPLING_STORE, type SamplingStore } from './store';

/** How long start-up waits for Redis before serving without it (it keeps reconnecting). */
const INITIAL_CONNECT_WAIT_MS = 3_000;

async function createStore(config: AppConfig, logger: AppLogger, metrics: MetricsService): Promise<SamplingStore> {
  if (!config.redisUrl) {
    logger.info('no REDIS_URL: using the embedded in-memory store (single replica)');
    metrics.storeReachable(true);
    return new MemoryStore();
  }
  const client = createRedisClient({
    url: config.redisUrl,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    onStateChange: (state, reason) => {
      metrics.storeReachable(state === 'ready');
      if (state === 'ready') logger.info('redis connected');
      else logger.warn({ reason }, 'redis unavailable; serving the last known strategies');
    },
  });
  const connecting = client.connect().then(
    () => true,
    () => false,
  );
  const connected = await Promise.race([
    connecting,
    new Promise<false>((resolve) => setTimeout(() => resolve(false), INITIAL_CONNECT_WAIT_MS).unref()),
  ]);
  if (!connected) logger.warn('redis not reachable at start-up; serving defaults and retrying in the background');
  return new RedisStore(client, config.redisKeyPrefix);
}

@Injectable()
class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SAMPLING_STORE) private readonly store: SamplingStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: SAMPLING_STORE,
      inject: [APP_CONFIG, APP_LOGGER, MetricsService],
      useFactory: createStore,
    },
    StoreLifecycle,
  ],
  exports: [SAMPLING_STORE],
})
export class StoreModule {}
