import type { AppConfig, LogLevel } from './app-config';
import { parseAdminTokens } from './admin-tokens';
import { parseIngestTokens } from './ingest-tokens';
import { ConfigError } from './config.errors';
import * as p from './env-parsers';
import { JAEGER_DEFAULTS } from '../sampling/adaptive-options';
import { ERROR_BOOST_DEFAULTS } from '../sampling/samplane/samplane-options';
import { readRedisSecurity, readRedisTarget } from './redis-target';

type Env = Record<string, string | undefined>;

/** Braces would turn part of every key into a Redis Cluster hash tag. */
const keyPrefix: p.Parser<string> = (raw) => {
  if (/[{}]/.test(raw)) throw new Error(`"${raw}" must not contain { or }`);
  return raw;
};

const xrayInterval = p.inWholeSeconds(p.positiveDuration);

/**
 * Reads and validates every variable at once. An unset or empty variable takes its default;
 * a set one must parse, or start-up stops naming it — a typo in production must not
 * silently fall back to a default.
 */
export function loadConfig(env: Env): AppConfig {
  const read = <T>(name: string, parser: p.Parser<T>, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parser(raw);
    } catch (error) {
      throw new ConfigError(name, (error as Error).message);
    }
  };
  const optional = <T>(name: string, parser: p.Parser<T>): T | undefined =>
    read<T | undefined>(name, parser, undefined);

  const redis = readRedisTarget(optional);
  const config: AppConfig = {
    host: read('HOST', p.text, '0.0.0.0'),
    httpPort: read('HTTP_PORT', p.port, 5778),
    // Fastify's default; longer than the idle timeout of the load balancers usually put in front.
    httpKeepAliveTimeoutMs: read('HTTP_KEEPALIVE_TIMEOUT', p.keepAliveTimeout, 72_000),
    grpcPort: read('GRPC_PORT', p.port, 14250),
    redisUrl: redis?.kind === 'single' ? redis.url : undefined,
    redis,
    redisSecurity: readRedisSecurity(optional),
    redisKeyPrefix: read('REDIS_KEY_PREFIX', keyPrefix, 'samplane:'),
    redisCommandTimeoutMs: read('REDIS_COMMAND_TIMEOUT', p.positiveDuration, 1_000),
    databaseUrl: optional('DATABASE_URL', p.postgresUrl),
    sqlitePath: read('SQLITE_PATH', p.text, './data/samplane.sqlite'),
    strategiesFile: optional('STRATEGIES_FILE', p.text),
    strategiesReloadIntervalMs: read('STRATEGIES_RELOAD_INTERVAL', p.duration, 0),
    // Jaeger's followers reload every 20 s; announcements will make this a fallback only.
    snapshotReloadIntervalMs: read('SNAPSHOT_RELOAD_INTERVAL', p.positiveDuration, 5_000),
    // A fallback too: a policy change is announced to every replica, which reloads at once.
    policyReloadIntervalMs: read('POLICY_RELOAD_INTERVAL', p.positiveDuration, 5_000),
    // Also the throughput slot length: the finest time resolution a calculation can read.
    ingestFlushIntervalMs: read('INGEST_FLUSH_INTERVAL', p.positiveDuration, 1_000),
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT', p.positiveDuration, 10_000),
    // Pollers come back every interval anyway; this lets HTTP caches between them share answers.
    pollMaxAgeMs: read('POLL_MAX_AGE', p.duration, 60_000),
    xrayPort: optional('XRAY_PORT', p.port),
    xrayTargetsIntervalMs: read('XRAY_TARGETS_INTERVAL', xrayInterval, 10_000),
    xrayTrustUnauthenticated: read('XRAY_TRUST_UNAUTHENTICATED', p.oneOf('true', 'false'), 'false') === 'true',
    adminTokens: read('ADMIN_TOKENS', parseAdminTokens, []),
    ingestTokens: read('INGEST_TOKENS', parseIngestTokens, []),
    tls: tlsFiles(read, optional),
    // Above the largest fleets Samplane is sized for (10,000 services), below what a flood makes.
    maxServices: read('ADAPTIVE_MAX_SERVICES', p.positiveInteger, 20_000),
    calculationThread: read('ADAPTIVE_CALCULATION_THREAD', p.oneOf('worker', 'main'), 'worker'),
    logLevel: read<LogLevel>(
      'LOG_LEVEL',
      p.oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
      'info',
    ),
    adaptive: {
      algorithm: read('ADAPTIVE_ALGORITHM', p.oneOf('jaeger', 'samplane'), 'samplane'),
      targetSamplesPerSecond: read(
        'ADAPTIVE_TARGET_SAMPLES_PER_SECOND',
        p.positive,
        JAEGER_DEFAULTS.targetSamplesPerSecond,
      ),
      deltaTolerance: read('ADAPTIVE_DELTA_TOLERANCE', p.nonNegative, JAEGER_DEFAULTS.deltaTolerance),
      calculationBuckets: read(
        'ADAPTIVE_CALCULATION_BUCKETS',
        p.positiveInteger,
        JAEGER_DEFAULTS.calculationBuckets,
      ),
      calculationIntervalMs: read('ADAPTIVE_CALCULATION_INTERVAL', p.positiveDuration, 60_000),
      aggregationBuckets: read(
        'ADAPTIVE_AGGREGATION_BUCKETS',
        p.positiveInteger,
        JAEGER_DEFAULTS.aggregationBuckets,
      ),
      // Jaeger waits 2m so slow collectors can flush; replicas here flush every second or so,
      // so a short delay is enough and every calculation sees fresher traffic.
      delayMs: read('ADAPTIVE_DELAY', p.duration, 10_000),
      initialSamplingProbability: read(
        'ADAPTIVE_INITIAL_SAMPLING_PROBABILITY',
        p.probability,
        JAEGER_DEFAULTS.initialSamplingProbability,
      ),
      minSamplingProbability: read(
        'ADAPTIVE_MIN_SAMPLING_PROBABILITY',
        p.probability,
        JAEGER_DEFAULTS.minSamplingProbability,
      ),
      minSamplesPerSecond: read(
        'ADAPTIVE_MIN_SAMPLES_PER_SECOND',
        p.nonNegative,
        JAEGER_DEFAULTS.minSamplesPerSecond,
      ),
      increaseCap: read('ADAPTIVE_INCREASE_CAP', p.positive, JAEGER_DEFAULTS.increaseCap),
      // Jaeger's 60 s lease leaves a fleet without a calculator for up to a minute.
      leaderLeaseMs: read('ADAPTIVE_LEADER_LEASE', p.positiveDuration, 15_000),
      maxOperations: read('ADAPTIVE_MAX_OPERATIONS', p.positiveInteger, 2000),
      errorBoost: {
        enabled: read('ADAPTIVE_ERROR_BOOST', p.oneOf('on', 'off'), 'on') === 'on',
        targetErrorSamplesPerSecond: read(
          'ADAPTIVE_ERROR_TARGET_SAMPLES_PER_SECOND',
          p.positive,
          ERROR_BOOST_DEFAULTS.targetErrorSamplesPerSecond,
        ),
        cooldownSeconds:
          read('ADAPTIVE_ERROR_BOOST_COOLDOWN', p.duration, ERROR_BOOST_DEFAULTS.cooldownSeconds * 1000) / 1000,
        maxSamplingProbability: read(
          'ADAPTIVE_ERROR_BOOST_MAX_PROBABILITY',
          p.probability,
          ERROR_BOOST_DEFAULTS.maxSamplingProbability,
        ),
      },
    },
  };
  if (config.adaptive.minSamplingProbability > config.adaptive.initialSamplingProbability) {
    throw new ConfigError(
      'ADAPTIVE_MIN_SAMPLING_PROBABILITY',
      'must not exceed ADAPTIVE_INITIAL_SAMPLING_PROBABILITY',
    );
  }
  refuseSharedRedisWithPrivateSqlite(config, read('ALLOW_SQLITE_WITH_REDIS', p.oneOf('true', 'false'), 'false'));
  return config;
}

type Read = <T>(name: string, parser: p.Parser<T>, fallback: T) => T;
type Optional = <T>(name: string, parser: p.Parser<T>) => T | undefined;

function tlsFiles(read: Read, optional: Optional): AppConfig['tls'] {
  const certFile = optional('TLS_CERT_FILE', p.text);
  const keyFile = optional('TLS_KEY_FILE', p.text);
  const clientCaFile = optional('TLS_CLIENT_CA_FILE', p.text);
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined) throw new ConfigError('TLS_CLIENT_CA_FILE', 'needs TLS_CERT_FILE and TLS_KEY_FILE');
    return undefined;
  }
  if (certFile === undefined) throw new ConfigError('TLS_CERT_FILE', 'must be set with TLS_KEY_FILE');
  if (keyFile === undefined) throw new ConfigError('TLS_KEY_FILE', 'must be set with TLS_CERT_FILE');
  return { certFile, keyFile, clientCaFile, reloadIntervalMs: read('TLS_RELOAD_INTERVAL', p.positiveDuration, 5_000) };
}

/**
 * Replicas sharing Redis share throughput and probabilities; each with its own SQLite file
 * would silently serve different policies. One replica on Redis may do it on purpose.
 */
function refuseSharedRedisWithPrivateSqlite(config: AppConfig, allowed: string): void {
  if (config.redis === undefined || config.databaseUrl !== undefined || allowed === 'true') return;
  const variable = { single: 'REDIS_URL', cluster: 'REDIS_CLUSTER_NODES', sentinel: 'REDIS_SENTINELS' }[config.redis.kind];
  throw new ConfigError(
    'DATABASE_URL',
    `unset while ${variable} is set: replicas sharing Redis would each keep policies in a private SQLite file ` +
      'and disagree. Set DATABASE_URL to a shared PostgreSQL, or ALLOW_SQLITE_WITH_REDIS=true if this is one replica on purpose',
  );
}
