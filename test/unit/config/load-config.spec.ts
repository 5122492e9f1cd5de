import { ConfigError } from '../../../src/config/config.errors';
import { loadConfig } from '../../../src/config/load-config';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  describe('defaults (as the README lists them)', () => {
    const config = loadConfig({});

    it('serves on the Jaeger ports', () => {
      expect(config.host).toBe('0.0.0.0');
      expect(config.httpPort).toBe(5778);
      expect(config.grpcPort).toBe(14250);
    });

    it('runs without Redis, a database or a strategies file', () => {
      expect(config.redisUrl).toBeUndefined();
      expect(config.databaseUrl).toBeUndefined();
      expect(config.sqlitePath).toBe('./data/samplane.sqlite');
      expect(config.strategiesFile).toBeUndefined();
      expect(config.strategiesReloadIntervalMs).toBe(0);
      expect(config.adminTokens).toEqual([]);
      expect(config.logLevel).toBe('info');
    });

    it('computes with samplane, on Jaeger defaults for the knobs both algorithms share', () => {
      expect(config.adaptive).toMatchObject({
        algorithm: 'samplane',
        targetSamplesPerSecond: 1,
        deltaTolerance: 0.3,
        calculationBuckets: 1,
        calculationIntervalMs: 60_000,
        aggregationBuckets: 10,
        initialSamplingProbability: 0.001,
        minSamplingProbability: 0.00001,
        minSamplesPerSecond: 1 / 60,
        increaseCap: 1.0,
        maxOperations: 2000,
      });
    });

    it('keeps the timing choices Samplane made over Jaeger', () => {
      expect(config.adaptive.delayMs).toBe(10_000);
      expect(config.adaptive.leaderLeaseMs).toBe(15_000);
      expect(config.snapshotReloadIntervalMs).toBe(5_000);
      expect(config.ingestFlushIntervalMs).toBe(1_000);
      expect(config.shutdownTimeoutMs).toBe(10_000);
      expect(config.redisCommandTimeoutMs).toBe(1_000);
      expect(config.redisKeyPrefix).toBe('samplane:');
    });

    it('keeps idle HTTP connections open 72 s, as Fastify does', () => {
      expect(config.httpKeepAliveTimeoutMs).toBe(72_000);
    });
  });

  it('takes the default for an empty or blank variable', () => {
    const config = loadConfig({ HTTP_PORT: '', ADAPTIVE_DELAY: '   ', LOG_LEVEL: '' });
    expect(config.httpPort).toBe(5778);
    expect(config.adaptive.delayMs).toBe(10_000);
    expect(config.logLevel).toBe('info');
  });

  it('ignores variables it does not own', () => {
    expect(loadConfig({ PATH: '/usr/bin', HTTP_PORTS: 'nope' })).toEqual(loadConfig({}));
  });

  it('reads every variable that is set', () => {
    const config = loadConfig({
      HOST: '127.0.0.1',
      HTTP_PORT: '8080',
      GRPC_PORT: '0',
      REDIS_URL: 'redis://redis:6379/1',
      REDIS_KEY_PREFIX: 'staging:',
      REDIS_COMMAND_TIMEOUT: '250ms',
      DATABASE_URL: 'postgres://u:p@db/samplane',
      SQLITE_PATH: '/tmp/s.sqlite',
      STRATEGIES_FILE: '/etc/samplane/strategies.json',
      STRATEGIES_RELOAD_INTERVAL: '30s',
      SNAPSHOT_RELOAD_INTERVAL: '2s',
      INGEST_FLUSH_INTERVAL: '500ms',
      SHUTDOWN_TIMEOUT: '1m30s',
      ADMIN_TOKENS: 'alice:operator:0123456789abcdef',
      LOG_LEVEL: 'DEBUG',
      ADAPTIVE_ALGORITHM: 'Jaeger',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: '5',
      ADAPTIVE_DELTA_TOLERANCE: '0',
      ADAPTIVE_CALCULATION_BUCKETS: '3',
      ADAPTIVE_CALCULATION_INTERVAL: '30s',
      ADAPTIVE_AGGREGATION_BUCKETS: '20',
      ADAPTIVE_DELAY: '2m',
      ADAPTIVE_INITIAL_SAMPLING_PROBABILITY: '0.01',
      ADAPTIVE_MIN_SAMPLING_PROBABILITY: '0.0001',
      ADAPTIVE_MIN_SAMPLES_PER_SECOND: '1/30',
      ADAPTIVE_INCREASE_CAP: '0.5',
      ADAPTIVE_LEADER_LEASE: '1m',
      ADAPTIVE_MAX_OPERATIONS: '500',
    });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      httpPort: 8080,
      grpcPort: 0,
      redisUrl: 'redis://redis:6379/1',
      redisKeyPrefix: 'staging:',
      redisCommandTimeoutMs: 250,
      databaseUrl: 'postgres://u:p@db/samplane',
      sqlitePath: '/tmp/s.sqlite',
      strategiesFile: '/etc/samplane/strategies.json',
      strategiesReloadIntervalMs: 30_000,
      snapshotReloadIntervalMs: 2_000,
      ingestFlushIntervalMs: 500,
      shutdownTimeoutMs: 90_000,
      adminTokens: [{ name: 'alice', role: 'operator', token: '0123456789abcdef' }],
      logLevel: 'debug',
      adaptive: {
        algorithm: 'jaeger',
        targetSamplesPerSecond: 5,
        deltaTolerance: 0,
        calculationBuckets: 3,
        calculationIntervalMs: 30_000,
        aggregationBuckets: 20,
        delayMs: 120_000,
        initialSamplingProbability: 0.01,
        minSamplingProbability: 0.0001,
        minSamplesPerSecond: 1 / 30,
        increaseCap: 0.5,
        leaderLeaseMs: 60_000,
        maxOperations: 500,
      },
    });
  });

  it('reads HTTP_KEEPALIVE_TIMEOUT in whole seconds, 0s for never closing an idle connection', () => {
    expect(loadConfig({ HTTP_KEEPALIVE_TIMEOUT: '11m' }).httpKeepAliveTimeoutMs).toBe(660_000);
    expect(loadConfig({ HTTP_KEEPALIVE_TIMEOUT: '0s' }).httpKeepAliveTimeoutMs).toBe(0);
    expect(configErrorOf({ HTTP_KEEPALIVE_TIMEOUT: '1500ms' }).message).toBe('HTTP_KEEPALIVE_TIMEOUT: "1500ms" must be whole seconds');
    // Node's own timer is a second longer, and a timer past 2^31 - 1 ms fires at once.
    expect(loadConfig({ HTTP_KEEPALIVE_TIMEOUT: '2147482s' }).httpKeepAliveTimeoutMs).toBe(2_147_482_000);
    expect(configErrorOf({ HTTP_KEEPALIVE_TIMEOUT: '2147483s' }).message).toBe('HTTP_KEEPALIVE_TIMEOUT: "2147483s" is longer than 2147482s (about 24 days)');
  });

  it('accepts zero for the delay and the reload interval (no reload)', () => {
    const config = loadConfig({ ADAPTIVE_DELAY: '0s', STRATEGIES_RELOAD_INTERVAL: '0s' });
    expect(config.adaptive.delayMs).toBe(0);
    expect(config.strategiesReloadIntervalMs).toBe(0);
  });

  describe('a bad value stops start-up naming the variable', () => {
    it.each([
      ['HTTP_PORT', '70000'],
      ['HTTP_PORT', 'http'],
      ['HTTP_KEEPALIVE_TIMEOUT', '72'],
      ['HTTP_KEEPALIVE_TIMEOUT', '500ms'],
      ['HTTP_KEEPALIVE_TIMEOUT', '1000h'],
      ['HTTP_KEEPALIVE_TIMEOUT', '2147483s'],
      ['GRPC_PORT', '-1'],
      ['GRPC_PORT', '1.5'],
      ['REDIS_URL', 'localhost:6379'],
      ['REDIS_URL', 'http://localhost:6379'],
      ['REDIS_COMMAND_TIMEOUT', '1000'],
      ['REDIS_COMMAND_TIMEOUT', '0s'],
      ['DATABASE_URL', 'mysql://db/samplane'],
      ['STRATEGIES_RELOAD_INTERVAL', '30'],
      ['STRATEGIES_RELOAD_INTERVAL', '1000h'],
      ['SNAPSHOT_RELOAD_INTERVAL', '0ms'],
      ['SNAPSHOT_RELOAD_INTERVAL', '5 s'],
      ['INGEST_FLUSH_INTERVAL', '1'],
      ['INGEST_FLUSH_INTERVAL', '0s'],
      ['SHUTDOWN_TIMEOUT', '10'],
      ['ADMIN_TOKENS', 'alice:root:0123456789'],
      ['ADMIN_TOKENS', 'alice:viewer:short'],
      ['LOG_LEVEL', 'verbose'],
      ['ADAPTIVE_ALGORITHM', 'pid'],
      ['ADAPTIVE_TARGET_SAMPLES_PER_SECOND', '0'],
      ['ADAPTIVE_TARGET_SAMPLES_PER_SECOND', 'many'],
      ['ADAPTIVE_DELTA_TOLERANCE', '-0.1'],
      ['ADAPTIVE_CALCULATION_BUCKETS', '0'],
      ['ADAPTIVE_CALCULATION_BUCKETS', '1.5'],
      ['ADAPTIVE_CALCULATION_INTERVAL', '60'],
      ['ADAPTIVE_CALCULATION_INTERVAL', '0s'],
      ['ADAPTIVE_AGGREGATION_BUCKETS', '-10'],
      ['ADAPTIVE_DELAY', '2'],
      ['ADAPTIVE_INITIAL_SAMPLING_PROBABILITY', '1.5'],
      ['ADAPTIVE_INITIAL_SAMPLING_PROBABILITY', '0.1%'],
      ['ADAPTIVE_MIN_SAMPLING_PROBABILITY', '-0.00001'],
      ['ADAPTIVE_MIN_SAMPLES_PER_SECOND', '-1/60'],
      ['ADAPTIVE_INCREASE_CAP', '0'],
      ['ADAPTIVE_LEADER_LEASE', '15'],
      ['ADAPTIVE_MAX_OPERATIONS', '0'],
      ['ADAPTIVE_MAX_OPERATIONS', '2e3.5'],
      ['ADAPTIVE_ERROR_BOOST', 'yes'],
      ['ADAPTIVE_ERROR_TARGET_SAMPLES_PER_SECOND', '0'],
      ['ADAPTIVE_ERROR_BOOST_COOLDOWN', '300'],
      ['ADAPTIVE_ERROR_BOOST_MAX_PROBABILITY', '2'],
    ])('%s=%j', (variable, value) => {
      const error = configErrorOf({ [variable]: value });
      expect(error.variable).toBe(variable);
      expect(error.name).toBe('ConfigError');
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
    });

    it('includes the reason after the name', () => {
      expect(configErrorOf({ ADAPTIVE_DELAY: '120' }).message).toBe(
        'ADAPTIVE_DELAY: "120" is not a duration (write it like 250ms, 10s, 1m or 1h)',
      );
    });

    it('names the first bad variable in the order they are read', () => {
      expect(configErrorOf({ LOG_LEVEL: 'loud', HTTP_PORT: 'x' }).variable).toBe('HTTP_PORT');
    });

    it('does not print a connection string password', () => {
      const error = configErrorOf({ DATABASE_URL: 'mysql://app:s3cretpass@db/samplane' });
      expect(error.variable).toBe('DATABASE_URL');
      expect(error.message).not.toContain('s3cretpass');
    });
  });

  describe('the minimum probability against the initial one', () => {
    it('refuses a minimum above the initial probability, naming the minimum', () => {
      const error = configErrorOf({ ADAPTIVE_MIN_SAMPLING_PROBABILITY: '0.01' });
      expect(error.variable).toBe('ADAPTIVE_MIN_SAMPLING_PROBABILITY');
      expect(error.message).toContain('ADAPTIVE_INITIAL_SAMPLING_PROBABILITY');
    });

    it('refuses a lowered initial probability that falls under the default minimum', () => {
      const error = configErrorOf({ ADAPTIVE_INITIAL_SAMPLING_PROBABILITY: '0.000001' });
      expect(error.variable).toBe('ADAPTIVE_MIN_SAMPLING_PROBABILITY');
    });

    it('accepts them equal', () => {
      const config = loadConfig({
        ADAPTIVE_INITIAL_SAMPLING_PROBABILITY: '0.05',
        ADAPTIVE_MIN_SAMPLING_PROBABILITY: '0.05',
      });
      expect(config.adaptive.minSamplingProbability).toBe(0.05);
    });
  });
});

describe('loadConfig: the error boost', () => {
  it('is on by default: 1 errored trace/s, at most 0.1, for 5 minutes', () => {
    expect(loadConfig({}).adaptive.errorBoost).toEqual({
      enabled: true,
      targetErrorSamplesPerSecond: 1,
      maxSamplingProbability: 0.1,
      cooldownSeconds: 300,
    });
  });

  it('reads ADAPTIVE_ERROR_*', () => {
    const config = loadConfig({
      ADAPTIVE_ERROR_BOOST: 'off',
      ADAPTIVE_ERROR_TARGET_SAMPLES_PER_SECOND: '2.5',
      ADAPTIVE_ERROR_BOOST_COOLDOWN: '10m',
      ADAPTIVE_ERROR_BOOST_MAX_PROBABILITY: '0.5',
    });
    expect(config.adaptive.errorBoost).toEqual({
      enabled: false,
      targetErrorSamplesPerSecond: 2.5,
      maxSamplingProbability: 0.5,
      cooldownSeconds: 600,
    });
  });
});
