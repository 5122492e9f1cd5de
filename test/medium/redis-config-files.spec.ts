import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { type Issued, TestPki } from '../support/test-pki';

/** Redis without a shared policy database is refused unless it is said to be one replica. */
const ONE_REPLICA = { ALLOW_SQLITE_WITH_REDIS: 'true' };

/** Where Redis is and how it is reached: the variables' rules, and TLS files checked at start-up. */
describe('Redis connection settings', () => {
  let pki: TestPki;
  let client: Issued;
  let other: Issued;

  beforeAll(() => {
    pki = new TestPki('Redis CA');
    client = pki.client('samplane');
    other = pki.client('other');
  });

  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

  const refusal = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  it('takes one of a URL, cluster seeds or Sentinels', () => {
    expect(loadConfig({ ...ONE_REPLICA, REDIS_CLUSTER_NODES: '10.0.0.1:7000, [::1]:7001' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
    });
    expect(loadConfig({ ...ONE_REPLICA, REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_MASTER: 'main' }).redis).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      master: 'main',
    });
    expect(refusal({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000' })).toMatch(/^REDIS_CLUSTER_NODES: set only one of REDIS_URL and REDIS_CLUSTER_NODES/);
    expect(refusal({ REDIS_SENTINELS: 's1:26379' })).toMatch(/^REDIS_SENTINEL_MASTER: is required/);
    expect(refusal({ REDIS_CLUSTER_NODES: 'b' })).toMatch(/^REDIS_CLUSTER_NODES: "b" is not host:port/);
  });

  it('turns TLS on with any of its files or REDIS_TLS, and reaches Sentinels the same way unless told', () => {
    expect(loadConfig({}).redisSecurity).toMatchObject({ tls: undefined, sentinelTls: false });
    expect(loadConfig({ REDIS_TLS: 'on' }).redisSecurity).toMatchObject({ tls: {}, sentinelTls: true });
    const mutual = loadConfig({ REDIS_TLS_CA_FILE: pki.caFile, REDIS_TLS_CERT_FILE: client.certFile, REDIS_TLS_KEY_FILE: client.keyFile });
    expect(mutual.redisSecurity).toMatchObject({
      tls: { caFile: pki.caFile, certFile: client.certFile, keyFile: client.keyFile },
      sentinelTls: true,
    });
    expect(loadConfig({ REDIS_TLS_CA_FILE: pki.caFile, REDIS_SENTINEL_TLS: 'off' }).redisSecurity.sentinelTls).toBe(false);
    expect(loadConfig({ REDIS_SENTINEL_TLS: 'on' }).redisSecurity).toMatchObject({ tls: undefined, sentinelTls: true });
    expect(loadConfig({ REDIS_TLS_SERVERNAME: 'redis.internal' }).redisSecurity).toMatchObject({ tls: { servername: 'redis.internal' }, sentinelTls: true });
    expect(refusal({ REDIS_SENTINEL_TLS: 'yes' })).toMatch(/^REDIS_SENTINEL_TLS: /);
  });

  it('keeps the Sentinels’ credentials apart from the primary’s', () => {
    const security = loadConfig({ REDIS_PASSWORD: 'primary', REDIS_SENTINEL_USERNAME: 'watcher', REDIS_SENTINEL_PASSWORD: 'sentinels' }).redisSecurity;
    expect(security).toMatchObject({ username: undefined, password: 'primary', sentinelUsername: 'watcher', sentinelPassword: 'sentinels' });
  });

  it('stops start-up on a TLS file it cannot use, naming the variable', () => {
    const missing = join(pki.dir, 'missing.pem');
    expect(refusal({ REDIS_TLS_CA_FILE: missing })).toMatch(new RegExp(`^REDIS_TLS_CA_FILE: cannot read ${missing}`));
    const notPem = join(pki.dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello\n');
    expect(refusal({ REDIS_TLS_CA_FILE: notPem })).toMatch(/^REDIS_TLS_CA_FILE: .*holds no PEM certificate/);
    // OpenSSL itself would take it and then trust nothing.
    const damaged = join(pki.dir, 'damaged-ca.pem');
    writeFileSync(damaged, `${pki.ca}-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n`);
    expect(refusal({ REDIS_TLS_CA_FILE: damaged })).toMatch(/^REDIS_TLS_CA_FILE: .*holds a certificate that does not parse/);
    expect(refusal({ REDIS_TLS_CERT_FILE: client.keyFile, REDIS_TLS_KEY_FILE: client.keyFile })).toMatch(/^REDIS_TLS_CERT_FILE: .*holds no PEM certificate/);
    expect(refusal({ REDIS_TLS_CERT_FILE: client.certFile, REDIS_TLS_KEY_FILE: client.certFile })).toMatch(/^REDIS_TLS_KEY_FILE: .*holds no PEM private key/);
    expect(refusal({ REDIS_TLS_CERT_FILE: client.certFile })).toMatch(/^REDIS_TLS_KEY_FILE: client certificate and key go together/);
    // A certificate and someone else's key.
    expect(refusal({ REDIS_TLS_CERT_FILE: client.certFile, REDIS_TLS_KEY_FILE: other.keyFile })).toMatch(
      /^REDIS_TLS_CERT_FILE: with REDIS_TLS_KEY_FILE is not usable/,
    );
  });
});
