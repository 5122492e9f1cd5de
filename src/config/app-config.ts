import type { AdaptiveOptions } from '../sampling/adaptive-options';
import type { RedisConnectionSecurity, RedisTarget } from './redis-target';

export type Role = 'viewer' | 'operator';

export interface AdminToken {
  name: string;
  role: Role;
  token: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The whole configuration, validated once at boot; nothing else reads `process.env`. */
export interface AppConfig {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** REDIS_URL alone; `redis` says where the shared state lives in every mode. */
  redisUrl: string | undefined;
  /** Unset: the embedded in-memory store. */
  redis: RedisTarget | undefined;
  redisSecurity: RedisConnectionSecurity;
  redisKeyPrefix: string;
  redisCommandTimeoutMs: number;
  databaseUrl: string | undefined;
  sqlitePath: string;
  strategiesFile: string | undefined;
  strategiesReloadIntervalMs: number;
  snapshotReloadIntervalMs: number;
  policyReloadIntervalMs: number;
  ingestFlushIntervalMs: number;
  shutdownTimeoutMs: number;
  adminTokens: AdminToken[];
  logLevel: LogLevel;
  adaptive: AdaptiveOptions;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
