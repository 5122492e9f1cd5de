import type { AdaptiveOptions } from '../sampling/adaptive-options';
import type { RedisConnectionSecurity, RedisTarget } from './redis-target';

export type Role = 'viewer' | 'operator';

export interface AdminToken {
  name: string;
  role: Role;
  token: string;
}

/** A reporter's credential; `scope` lists the service-name patterns it may report for (all when absent). */
export interface IngestToken {
  name: string;
  token: string;
  scope?: string[];
}

/** PEM files both listeners serve; re-read when they change. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** When set, clients must present a certificate signed by this CA. */
  clientCaFile: string | undefined;
  /** How often the files are checked for a rotation. */
  reloadIntervalMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The whole configuration, validated once at boot; nothing else reads `process.env`. */
export interface AppConfig {
  host: string;
  httpPort: number;
  /**
   * How long an idle HTTP connection is kept open (told to clients as `Keep-Alive: timeout=N`);
   * 0: never closed by Samplane. A client reusing a connection just as it is closed sees a reset.
   */
  httpKeepAliveTimeoutMs: number;
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
  /** `Cache-Control: max-age` on Jaeger HTTP polls. */
  pollMaxAgeMs: number;
  /** Extra listener for X-Ray SDKs that assume the daemon's port; undefined: off. */
  xrayPort: number | undefined;
  /** How often X-Ray clients are asked to report their statistics (their targets' Interval). */
  xrayTargetsIntervalMs: number;
  /** Count X-Ray statistics without an ingest token even when INGEST_TOKENS is set. */
  xrayTrustUnauthenticated: boolean;
  adminTokens: AdminToken[];
  /** Empty: reports and OTLP are open, as before tokens existed. */
  ingestTokens: IngestToken[];
  tls: TlsFiles | undefined;
  /** Services counted at once; reports for further services are refused and counted. */
  maxServices: number;
  /**
   * Where a leader on Redis calculates: `worker`, a thread of lower priority, so polls on the
   * event loop never queue behind it; `main`, the event loop itself, in slices.
   */
  calculationThread: 'worker' | 'main';
  logLevel: LogLevel;
  adaptive: AdaptiveOptions;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
