import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { FreshRuns } from '../common/fresh-runs';
import type { Policy } from '../sampling/policy';
import { type Announcer, TOPICS } from '../store/announcer';
import type { AppLogger } from '../telemetry/logger';
import { describeFailure } from './database-failure';
import { PolicyDatabase } from './policy-database';
import { parsePolicy } from './policy-document';
import { PolicyRepository } from './policy.repository';

/** Where policies are applied: serving's `StrategyProvider`. */
export interface PolicySink {
  /** May finish later for a large fleet (serving recomposes in slices). */
  applyPolicies(policies: ReadonlyMap<string, Policy>): void | Promise<void>;
}

interface LoadedPolicy {
  version: number;
  policy: Policy;
}

/**
 * Copies operator policies from the database into serving: when the database opens, when a
 * replica announces a change, and every POLICY_RELOAD_INTERVAL as a fallback for a lost
 * announcement. A reload reads only versions, then the documents that changed. A failed reload
 * changes nothing: polls keep being answered with the policies last applied.
 */
export class PolicySync implements OnApplicationBootstrap, OnModuleDestroy {
  private loaded = new Map<string, LoadedPolicy>();
  /** Versions of stored documents that failed validation, so each is reported once. */
  private readonly invalid = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly runs = new FreshRuns(() => this.reloadOnce());
  private lastFailure: string | undefined;

  constructor(
    private readonly settings: { policyReloadIntervalMs: number },
    private readonly logger: AppLogger,
    private readonly announcer: Announcer,
    private readonly database: PolicyDatabase,
    private readonly sink: PolicySink,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.announcer.subscribe(TOPICS.policies, () => void this.reload());
    this.database.onConnected(() => void this.reload());
    if (this.database.connected) await this.reload();
    this.timer = setInterval(() => void this.reload(), this.settings.policyReloadIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The policies applied to serving, by service. */
  get policies(): ReadonlyMap<string, Policy> {
    return new Map([...this.loaded].map(([service, { policy }]) => [service, policy]));
  }

  /**
   * After a committed write: applies it here before the write is answered, so this replica
   * serves it at once, and tells the other replicas. The announcement is best effort (a
   * replica that misses it catches up at its next periodic reload).
   */
  async announce(service: string): Promise<void> {
    this.announcer.publish(TOPICS.policies, service).catch((error: unknown) => {
      this.logger.warn({ reason: describeFailure(error) }, 'cannot announce a policy change; replicas reload on their interval');
    });
    await this.reload();
  }

  /**
   * Brings serving up to the database. A call made while a reload runs gets a fresh one that
   * starts after it, since the running one may have read the database before the change the
   * caller wants to see; calls made meanwhile share that fresh one.
   */
  reload(): Promise<void> {
    return this.runs.request();
  }

  private async reloadOnce(): Promise<void> {
    try {
      const next = await this.database.run((m) => this.read(new PolicyRepository(m)));
      this.lastFailure = undefined;
      if (next) {
        this.loaded = next;
        await this.sink.applyPolicies(this.policies);
        this.logger.info({ policies: next.size }, 'operator policies applied');
      }
    } catch (error) {
      const reason = describeFailure(error);
      if (reason !== this.lastFailure) {
        this.logger.warn({ reason }, 'cannot read operator policies; serving the last ones applied');
        this.lastFailure = reason;
      }
    }
  }

  /** The new set of policies, or undefined when nothing changed since the last reload. */
  private async read(repository: PolicyRepository): Promise<Map<string, LoadedPolicy> | undefined> {
    const versions = new Map((await repository.versions()).map(({ service, version }) => [service, version]));
    const stale = [...versions]
      .filter(([service, version]) => this.loaded.get(service)?.version !== version && this.invalid.get(service) !== version)
      .map(([service]) => service);
    const removed = [...this.loaded.keys()].some((service) => !versions.has(service));
    if (stale.length === 0 && !removed) return undefined;
    const next = new Map<string, LoadedPolicy>();
    for (const [service, version] of versions) {
      const kept = this.loaded.get(service);
      if (kept?.version === version) next.set(service, kept);
    }
    // A service deleted between the two reads is simply not found here.
    for (const entity of await repository.findMany(stale)) {
      try {
        next.set(entity.service, { version: entity.version, policy: parsePolicy(JSON.parse(entity.document)) });
        this.invalid.delete(entity.service);
      } catch (error) {
        // Only a document edited outside the API can fail here; the others still apply.
        this.invalid.set(entity.service, entity.version);
        this.logger.error(
          { service: entity.service, version: entity.version, reason: (error as Error).message },
          'stored policy is invalid; ignoring it',
        );
      }
    }
    return next;
  }
}
