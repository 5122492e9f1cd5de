import type { AdaptiveOptions } from '../sampling/adaptive-options';

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
  redisUrl: string | undefined;
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
  /** `Cache-Control: max-age` on Jaeger HTTP polls. */
  pollMaxAgeMs: number;
  /** Extra listener for X-Ray SDKs that assume the daemon's port; undefined: off. */
  xrayPort: number | undefined;
  /** How often X-Ray clients are asked to report their statistics (their targets' Interval). */
  xrayTargetsIntervalMs: number;
  adminTokens: AdminToken[];
  logLevel: LogLevel;
  adaptive: AdaptiveOptions;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
