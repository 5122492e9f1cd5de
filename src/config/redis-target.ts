import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config.errors';
import * as p from './env-parsers';

export interface HostPort {
  host: string;
  port: number;
}

/** Where the shared state lives: one Redis, a Redis Cluster, or a Sentinel-managed primary. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; master: string };

/** TLS and credentials for cluster and Sentinel targets (a URL carries its own). */
export interface RedisConnectionSecurity {
  username: string | undefined;
  password: string | undefined;
  /** Set: connect with TLS; each file is PEM, checked readable at start. */
  tls: RedisTlsFiles | undefined;
  /** Whether the Sentinels themselves are reached over TLS (with `tls`'s files where set). */
  sentinelTls: boolean;
  /** The Sentinels' own credentials, where they ask for them (`requirepass` or an ACL user). */
  sentinelUsername: string | undefined;
  sentinelPassword: string | undefined;
}

export interface RedisTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The name the data nodes' certificates are checked against, instead of the address they are reached at. */
  servername?: string;
}

/** `host:port,host:port`, IPv6 hosts in brackets (`[::1]:7000`). */
export const hostPortList: p.Parser<HostPort[]> = (raw) => {
  const entries = raw.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) throw new Error('has an empty entry');
  return entries.map((entry) => {
    const match = /^(\[[^\]]+\]|[^:[\]]+):(\d+)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not host:port`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port: p.port(match[2]) };
  });
};

type Read = <T>(name: string, parser: p.Parser<T>) => T | undefined;

/** Exactly one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS may be set. */
export function readRedisTarget(read: Read): RedisTarget | undefined {
  const url = read('REDIS_URL', p.redisUrl);
  const nodes = read('REDIS_CLUSTER_NODES', hostPortList);
  const sentinels = read('REDIS_SENTINELS', hostPortList);
  const master = read('REDIS_SENTINEL_MASTER', p.text);
  const given = [url && 'REDIS_URL', nodes && 'REDIS_CLUSTER_NODES', sentinels && 'REDIS_SENTINELS'].filter(Boolean);
  if (given.length > 1) throw new ConfigError(given[1] as string, `set only one of ${given.join(' and ')}`);
  if (sentinels && !master) throw new ConfigError('REDIS_SENTINEL_MASTER', 'is required with REDIS_SENTINELS (the name of the monitored primary)');
  if (master && !sentinels) throw new ConfigError('REDIS_SENTINEL_MASTER', 'needs REDIS_SENTINELS');
  if (url) return { kind: 'single', url };
  if (nodes) return { kind: 'cluster', nodes };
  if (sentinels && master) return { kind: 'sentinel', sentinels, master };
  return undefined;
}

export function readRedisSecurity(read: Read): RedisConnectionSecurity {
  const tlsOn = read('REDIS_TLS', p.oneOf('on', 'off')) === 'on';
  const caFile = read('REDIS_TLS_CA_FILE', pemFile('certificate'));
  const certFile = read('REDIS_TLS_CERT_FILE', pemFile('certificate'));
  const keyFile = read('REDIS_TLS_KEY_FILE', pemFile('private key'));
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(certFile ? 'REDIS_TLS_KEY_FILE' : 'REDIS_TLS_CERT_FILE', 'client certificate and key go together');
  }
  if (certFile && keyFile) checkPair(certFile, keyFile);
  const servername = read('REDIS_TLS_SERVERNAME', p.text);
  const tls = tlsOn || caFile || certFile || servername ? { caFile, certFile, keyFile, servername } : undefined;
  // Where the primary is reached over TLS its Sentinels usually are too (Redis's `tls-port` serves both).
  const sentinelTls = (read('REDIS_SENTINEL_TLS', p.oneOf('on', 'off')) ?? (tls ? 'on' : 'off')) === 'on';
  return {
    username: read('REDIS_USERNAME', p.text),
    password: read('REDIS_PASSWORD', p.text),
    tls,
    sentinelTls,
    sentinelUsername: read('REDIS_SENTINEL_USERNAME', p.text),
    sentinelPassword: read('REDIS_SENTINEL_PASSWORD', p.text),
  };
}

/** A path to a readable PEM file holding `what`: a typo or a missing mount stops start-up, not every connection. */
function pemFile(what: 'certificate' | 'private key'): p.Parser<string> {
  return (path) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    const label = what === 'certificate' ? /-----BEGIN (?:TRUSTED )?CERTIFICATE-----/ : /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;
    if (!label.test(text)) throw new Error(`${path} holds no PEM ${what}`);
    if (what === 'certificate') checkCertificates(path, text);
    return path;
  };
}

/** Each certificate of a PEM bundle parses (OpenSSL takes a damaged CA file without a word, then trusts nothing). */
function checkCertificates(path: string, text: string): void {
  for (const block of text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new Error(`${path} holds a certificate that does not parse: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** What OpenSSL would refuse at every connection (a key not the certificate's, an encrypted one) stops start-up instead. */
function checkPair(certFile: string, keyFile: string): void {
  try {
    createSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
  } catch (error) {
    throw new ConfigError('REDIS_TLS_CERT_FILE', `with REDIS_TLS_KEY_FILE is not usable: ${(error as Error).message}`);
  }
}
