import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { AuditLogService } from '../../src/policies/audit-log.service';
import { PolicyDatabase } from '../../src/policies/policy-database';
import { PolicySync, type PolicySink } from '../../src/policies/policy-sync';
import type { Policy } from '../../src/sampling/policy';
import { PolicyService } from '../../src/policies/policy.service';
import type { Announcer } from '../../src/store/announcer';
import { MemoryAnnouncer } from '../../src/store/memory/memory-announcer';
import { createLogger } from '../../src/telemetry/logger';
import { PostgresServer } from '../support/postgres-server';

export type Backend = 'sqlite' | 'postgres';

/** One replica's policy stack, wired as the module wires it, on a real database. */
export interface Replica {
  database: PolicyDatabase;
  policies: PolicyService;
  audit: AuditLogService;
  sync: PolicySync;
  /** What serving was handed last. */
  served: ServedPolicies;
  close(): Promise<void>;
}

/**
 * Where a test's policies live: a fresh SQLite file, or a fresh database on a shared
 * throwaway PostgreSQL cluster. `replica()` opens a new connection to the same place, which
 * is both "another replica" and "the same replica after a restart".
 */
export class PolicyPlace {
  private readonly replicas: Replica[] = [];
  readonly announcer: Announcer = new MemoryAnnouncer();

  private constructor(readonly config: AppConfig) {}

  static async create(backend: Backend, postgres: PostgresServer | undefined, dir: string): Promise<PolicyPlace> {
    if (backend === 'sqlite') {
      return new PolicyPlace(loadConfig({ SQLITE_PATH: join(dir, `db-${unique()}`, 'samplane.sqlite') }));
    }
    if (!postgres) throw new Error('no PostgreSQL server');
    return new PolicyPlace(loadConfig({ DATABASE_URL: await postgres.createDatabase(`t_${unique()}`) }));
  }

  async replica(options: { connect?: boolean } = {}): Promise<Replica> {
    const logger = createLogger('silent');
    const database = new PolicyDatabase(this.config, logger);
    if (options.connect ?? true) {
      if (!(await database.connect())) throw new Error('cannot open the policy database');
    }
    const served = new ServedPolicies();
    const sync = new PolicySync(this.config, logger, this.announcer, database, served);
    await sync.onApplicationBootstrap();
    const replica: Replica = {
      database,
      policies: new PolicyService(database, sync),
      audit: new AuditLogService(database),
      sync,
      served,
      close: async () => {
        sync.onModuleDestroy();
        await database.close();
      },
    };
    this.replicas.push(replica);
    return replica;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.replicas.splice(0).map((r) => r.close()));
  }
}

/** Stands in for serving's StrategyProvider, which is built by Nest. */
export class ServedPolicies implements PolicySink {
  current: ReadonlyMap<string, Policy> = new Map();
  applied = 0;

  applyPolicies(policies: ReadonlyMap<string, Policy>): void {
    this.current = policies;
    this.applied++;
  }
}

let counter = 0;
function unique(): string {
  return `${process.pid}_${++counter}`;
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'samplane-policies-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
