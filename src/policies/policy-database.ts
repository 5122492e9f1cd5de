import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppLogger } from '../telemetry/logger';
import { type PolicyBackend, type PolicyDatabaseSettings, backendOf, dataSourceOptions } from './data-source-options';
import { describeFailure, isDatabaseFailure } from './database-failure';
import { PolicyDatabaseUnavailableError } from './policy.errors';

/** How long start-up waits for the database before serving without it, as for Redis. */
const INITIAL_CONNECT_WAIT_MS = 3_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15_000;

/**
 * The policy database connection. It opens in the background: start-up waits a few seconds
 * at most, then keeps retrying, so a replica whose database is down still starts and serves
 * polls. Until it opens, and whenever the database fails a statement, callers get
 * `PolicyDatabaseUnavailableError` (a 503) rather than a hang.
 *
 * A SQLite connection is one handle shared by every caller, on which TypeORM would interleave
 * concurrent transactions; work on SQLite is therefore run one unit at a time, which costs
 * little as SQLite runs one writer at a time anyway.
 */
export class PolicyDatabase implements OnModuleInit, OnApplicationShutdown {
  readonly backend: PolicyBackend;
  private dataSource: DataSource | undefined;
  private lastFailure = 'not connected yet';
  private loggedFailure: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  private closed = false;
  private readonly connectedListeners: (() => void)[] = [];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: PolicyDatabaseSettings,
    private readonly logger: AppLogger,
  ) {
    this.backend = backendOf(settings);
  }

  async onModuleInit(): Promise<void> {
    const connected = await Promise.race([
      this.connect(),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), INITIAL_CONNECT_WAIT_MS).unref()),
    ]);
    if (!connected) {
      this.logger.warn(
        { backend: this.backend, reason: this.lastFailure },
        'policy database not reachable at start-up; serving without operator policies and retrying in the background',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  get connected(): boolean {
    return this.dataSource !== undefined;
  }

  /** Called each time the connection opens, so readers can catch up at once. */
  onConnected(listener: () => void): void {
    this.connectedListeners.push(listener);
  }

  /**
   * One attempt to open the connection (running pending migrations); on failure the next one
   * is scheduled with a growing delay. Resolves with whether it is open.
   */
  async connect(): Promise<boolean> {
    clearTimeout(this.retryTimer);
    if (this.dataSource || this.closed) return this.dataSource !== undefined;
    try {
      const dataSource = await this.open();
      if (this.closed) {
        await dataSource.destroy();
        return false;
      }
      this.dataSource = dataSource;
      this.retryDelayMs = RETRY_MIN_MS;
      this.loggedFailure = undefined;
      this.logger.info({ backend: this.backend }, 'policy database connected; schema up to date');
      for (const listener of this.connectedListeners) listener();
      return true;
    } catch (error) {
      this.lastFailure = describeFailure(error);
      if (this.lastFailure !== this.loggedFailure) {
        this.logger.warn({ backend: this.backend, reason: this.lastFailure }, 'cannot open the policy database; retrying');
        this.loggedFailure = this.lastFailure;
      }
      if (!this.closed) {
        this.retryTimer = setTimeout(() => void this.connect(), this.retryDelayMs);
        this.retryTimer.unref();
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
      }
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const dataSource = this.dataSource;
    this.dataSource = undefined;
    // Waits for work in progress on SQLite, whose handle is closed under it otherwise.
    await this.tail;
    if (dataSource?.isInitialized) await dataSource.destroy();
  }

  /** Runs `work` outside a transaction (reads). */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.use((dataSource) => work(dataSource.manager));
  }

  /** Runs `work` in one transaction: all of it is committed, or none. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.backend === 'postgres') return this.use((dataSource) => dataSource.transaction(work));
    return this.use(async (dataSource) => {
      // IMMEDIATE takes the write lock before the first read. Under TypeORM's deferred BEGIN,
      // two processes on one file could both read a version, and the second to write would
      // fail with SQLITE_BUSY (a 503) instead of finding the version changed (a 412).
      const runner = dataSource.createQueryRunner();
      await runner.query('BEGIN IMMEDIATE');
      try {
        const result = await work(runner.manager);
        await runner.query('COMMIT');
        return result;
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async open(): Promise<DataSource> {
    const options = dataSourceOptions(this.settings);
    if (options.type === 'better-sqlite3') mkdirSync(dirname(options.database), { recursive: true });
    const dataSource = new DataSource(options);
    await dataSource.initialize();
    return dataSource;
  }

  private use<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const guarded = async (): Promise<T> => {
      const dataSource = this.dataSource;
      if (!dataSource) throw new PolicyDatabaseUnavailableError(this.lastFailure);
      try {
        return await work(dataSource);
      } catch (error) {
        if (isDatabaseFailure(error)) {
          throw new PolicyDatabaseUnavailableError(describeFailure(error), { cause: error });
        }
        throw error;
      }
    };
    if (this.backend === 'postgres') return guarded();
    const result = this.tail.then(guarded, guarded);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
