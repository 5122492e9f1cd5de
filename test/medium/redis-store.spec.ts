import { RedisServer } from '../support/redis-server';
import { connectRedisStore } from '../support/redis-store';
import { describeStoreContract } from './store-contract';

let redis: RedisServer;

beforeAll(async () => {
  redis = await RedisServer.start();
});

afterAll(async () => {
  await redis?.destroy();
});

describeStoreContract('RedisStore', (keyPrefix) => connectRedisStore(redis.url, keyPrefix));
