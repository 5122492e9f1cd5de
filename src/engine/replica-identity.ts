import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Names this replica in the lease and the flush watermarks. The random part keeps a restarted
 * process (same host, maybe same pid in a container) from being mistaken for its predecessor.
 */
export function replicaId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export const REPLICA_ID = Symbol('REPLICA_ID');
