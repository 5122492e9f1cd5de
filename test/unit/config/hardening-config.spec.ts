import { loadConfig } from '../../../src/config/load-config';

describe('INGEST_TOKENS', () => {
  it('reads names, tokens and scopes', () => {
    const config = loadConfig({ INGEST_TOKENS: 'team-a:aaaaaaaaaaaa:shop*|payments-?, collector:cccccccccccc' });
    expect(config.ingestTokens).toEqual([
      { name: 'team-a', token: 'aaaaaaaaaaaa', scope: ['shop*', 'payments-?'] },
      { name: 'collector', token: 'cccccccccccc' },
    ]);
  });

  it('is empty when unset: ingest stays open', () => {
    expect(loadConfig({}).ingestTokens).toEqual([]);
  });

  it.each([
    ['no token', 'team-a', /entry 1 is not name:token/],
    ['too many parts', 'a:bbbbbbbbbb:c:d', /entry 1 is not name:token/],
    ['a short token', 'team-a:short', /shorter than 8/],
    ['a name unfit for a label', 'team a:bbbbbbbbbb', /has a name/],
    ['a repeated name', 'a:bbbbbbbbbb,a:cccccccccc', /"a" appears twice/],
    ['an empty pattern', 'a:bbbbbbbbbb:shop*|', /empty scope pattern/],
  ])('refuses %s, naming the variable and never the token', (_case, value, reason) => {
    let message = '';
    try {
      loadConfig({ INGEST_TOKENS: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^INGEST_TOKENS: /);
    expect(message).toMatch(reason);
    expect(message).not.toContain('bbbbbbbbbb');
  });
});

describe('TLS files', () => {
  it('are off unless both the certificate and the key are set', () => {
    expect(loadConfig({}).tls).toBeUndefined();
    expect(() => loadConfig({ TLS_CERT_FILE: '/c.pem' })).toThrow(/^TLS_KEY_FILE: must be set/);
    expect(() => loadConfig({ TLS_KEY_FILE: '/k.pem' })).toThrow(/^TLS_CERT_FILE: must be set/);
    expect(() => loadConfig({ TLS_CLIENT_CA_FILE: '/ca.pem' })).toThrow(/^TLS_CLIENT_CA_FILE: needs/);
  });

  it('reads the files, the client CA and the reload interval', () => {
    const config = loadConfig({
      TLS_CERT_FILE: '/c.pem',
      TLS_KEY_FILE: '/k.pem',
      TLS_CLIENT_CA_FILE: '/ca.pem',
      TLS_RELOAD_INTERVAL: '2s',
    });
    expect(config.tls).toEqual({ certFile: '/c.pem', keyFile: '/k.pem', clientCaFile: '/ca.pem', reloadIntervalMs: 2000 });
  });
});

describe('ADAPTIVE_MAX_SERVICES', () => {
  it('defaults to 20000 and takes a positive integer', () => {
    expect(loadConfig({}).maxServices).toBe(20_000);
    expect(loadConfig({ ADAPTIVE_MAX_SERVICES: '3' }).maxServices).toBe(3);
    expect(() => loadConfig({ ADAPTIVE_MAX_SERVICES: '0' })).toThrow(/^ADAPTIVE_MAX_SERVICES: /);
  });
});

describe('ADAPTIVE_CALCULATION_THREAD', () => {
  it('defaults to worker, takes main, and refuses anything else by name', () => {
    expect(loadConfig({}).calculationThread).toBe('worker');
    expect(loadConfig({ ADAPTIVE_CALCULATION_THREAD: 'main' }).calculationThread).toBe('main');
    expect(() => loadConfig({ ADAPTIVE_CALCULATION_THREAD: 'thread' })).toThrow(/^ADAPTIVE_CALCULATION_THREAD: /);
  });
});

describe('replicas sharing Redis with private SQLite files', () => {
  const redis = { REDIS_URL: 'redis://redis:6379' };

  it('are refused at start-up with a message saying what to do', () => {
    expect(() => loadConfig(redis)).toThrow(/^DATABASE_URL: unset while REDIS_URL is set.*ALLOW_SQLITE_WITH_REDIS=true/);
  });

  it('are allowed when said to be intended, or with a shared database', () => {
    expect(loadConfig({ ...redis, ALLOW_SQLITE_WITH_REDIS: 'true' }).redisUrl).toBe('redis://redis:6379');
    expect(loadConfig({ ...redis, DATABASE_URL: 'postgres://db/samplane' }).databaseUrl).toBe('postgres://db/samplane');
    expect(() => loadConfig({ ...redis, ALLOW_SQLITE_WITH_REDIS: 'yes' })).toThrow(/^ALLOW_SQLITE_WITH_REDIS: /);
  });

  it('leave the embedded single-process default alone', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });
});
