import { resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import { PolicyEntity } from './entities/policy.entity';
import { CreatePoliciesPostgres1767225600000 } from './migrations/postgres-1767225600000-create-policies';
import { CreatePoliciesSqlite1767225600000 } from './migrations/sqlite-1767225600000-create-policies';

export type PolicyBackend = 'postgres' | 'sqlite';

export interface PolicyDatabaseSettings {
  /** `postgres://…`; unset = SQLite at `sqlitePath`. */
  databaseUrl: string | undefined;
  sqlitePath: string;
}

/** A connection attempt to a PostgreSQL that does not answer gives up after this long. */
export const CONNECT_TIMEOUT_MS = 3_000;
/** A statement the server does not answer fails after this long, so requests end with a 503. */
export const QUERY_TIMEOUT_MS = 5_000;
const SQLITE_BUSY_TIMEOUT_MS = 1_000;

export function backendOf(settings: PolicyDatabaseSettings): PolicyBackend {
  return settings.databaseUrl ? 'postgres' : 'sqlite';
}

/**
 * Schema changes come from migrations only, run when the connection opens (`migrationsRun`),
 * never from `synchronize`, which can drop columns holding data.
 */
export function dataSourceOptions(settings: PolicyDatabaseSettings): DataSourceOptions {
  const common = {
    entities: [PolicyEntity, AuditEntryEntity],
    migrationsRun: true,
    migrationsTableName: 'samplane_migrations',
    synchronize: false,
    logging: false,
  };
  if (settings.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: settings.databaseUrl,
      migrations: [CreatePoliciesPostgres1767225600000],
      applicationName: 'samplane',
      connectTimeoutMS: CONNECT_TIMEOUT_MS,
      poolSize: 10,
      extra: { query_timeout: QUERY_TIMEOUT_MS, statement_timeout: QUERY_TIMEOUT_MS },
      // The pool reports connections the server closed (a restart); requests then fail with
      // 503 and the pool reconnects by itself, so there is nothing more to do with it here.
      poolErrorHandler: () => undefined,
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: resolve(settings.sqlitePath),
    migrations: [CreatePoliciesSqlite1767225600000],
    // Readers in other processes (a backup, the sqlite3 shell) do not block writes.
    enableWAL: true,
    // How long a statement waits for another process's lock. better-sqlite3 waits
    // synchronously, stalling the event loop (and polls) meanwhile, so the wait is short;
    // SQLite is for a single replica, where no other process writes.
    timeout: SQLITE_BUSY_TIMEOUT_MS,
  };
}
