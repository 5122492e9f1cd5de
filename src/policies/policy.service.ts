import type { EntityManager } from 'typeorm';
import { type EntityTagCondition, conditionMatches, etagOf } from './etag';
import { PolicyDatabase } from './policy-database';
import { checkServiceName, parsePolicy } from './policy-document';
import { PolicyRepository } from './policy.repository';
import { PolicySync } from './policy-sync';
import {
  LostRaceError,
  PolicyConflictError,
  PolicyNotFoundError,
  PreconditionFailedError,
} from './policy.errors';
import { type StoredPolicy, fromEntity } from './stored-policy';

export interface WriteConditions {
  ifMatch?: EntityTagCondition;
  ifNoneMatch?: EntityTagCondition;
}

export interface PolicyPage {
  items: StoredPolicy[];
  total: number;
}

/** Unconditional writes retry this often when a concurrent write slips in between. */
const MAX_ATTEMPTS = 5;

/**
 * Operator policies: reads, and writes that commit the change and its audit entry together,
 * then make every replica apply it. Inputs are validated here, whoever the caller.
 */
export class PolicyService {
  constructor(
    private readonly database: PolicyDatabase,
    private readonly sync: PolicySync,
  ) {}

  async get(service: string): Promise<StoredPolicy> {
    checkServiceName(service);
    const found = await this.database.run((m) => new PolicyRepository(m).find(service));
    if (!found) throw new PolicyNotFoundError(service);
    return fromEntity(found);
  }

  list(limit: number, offset: number): Promise<PolicyPage> {
    return this.database.run(async (m) => {
      const repository = new PolicyRepository(m);
      const items = (await repository.list(limit, offset)).map(fromEntity);
      return { items, total: await repository.count() };
    });
  }

  /** Creates or replaces the policy of `service`; `created` tells which. */
  async put(
    service: string,
    document: unknown,
    conditions: WriteConditions,
    actor: string,
  ): Promise<{ stored: StoredPolicy; created: boolean }> {
    checkServiceName(service);
    const policy = parsePolicy(document);
    const text = JSON.stringify(policy);
    const result = await this.withRetries(service, conditions, (m) => this.write(m, service, text, conditions, actor));
    return { stored: { service, policy, ...result.written }, created: result.created };
  }

  async delete(service: string, conditions: WriteConditions, actor: string): Promise<void> {
    checkServiceName(service);
    await this.withRetries(service, conditions, async (m) => {
      const repository = new PolicyRepository(m);
      const current = await repository.findForUpdate(service);
      if (!current) throw new PolicyNotFoundError(service);
      checkIfMatch(conditions, current.version);
      await repository.deleteIfVersion(service, current.version);
      await repository.appendAudit({
        at: new Date(),
        actor,
        action: 'delete',
        service,
        version: current.version,
        before: current.document,
        after: null,
      });
    });
  }

  private async write(
    manager: EntityManager,
    service: string,
    text: string,
    conditions: WriteConditions,
    actor: string,
  ): Promise<{ written: Omit<StoredPolicy, 'service' | 'policy'>; created: boolean }> {
    const repository = new PolicyRepository(manager);
    const current = await repository.findForUpdate(service);
    checkIfMatch(conditions, current?.version);
    if (conditions.ifNoneMatch && current && conditionMatches(conditions.ifNoneMatch, current.version)) {
      throw new PreconditionFailedError(`the policy for ${JSON.stringify(service)} already exists (If-None-Match)`);
    }
    const written = { version: 0, updatedAt: new Date(), updatedBy: actor };
    if (current) {
      written.version = current.version + 1;
      await repository.replaceIfVersion(service, current.version, { document: text, ...written });
    } else {
      written.version = (await repository.lastVersion(service)) + 1;
      await repository.insert({ service, document: text, ...written });
    }
    await repository.appendAudit({
      at: written.updatedAt,
      actor,
      action: current ? 'replace' : 'create',
      service,
      version: written.version,
      before: current?.document ?? null,
      after: text,
    });
    return { written, created: !current };
  }

  /**
   * Runs one write transaction, retrying when a concurrent write won the race. A conditional
   * write is not retried: its condition was about the state that just changed, so it fails
   * with 412 as it would have had it arrived a moment later.
   */
  private async withRetries<T>(
    service: string,
    conditions: WriteConditions,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.database.transaction(work);
        await this.sync.announce(service);
        return result;
      } catch (error) {
        if (!(error instanceof LostRaceError)) throw error;
        if (conditions.ifMatch || conditions.ifNoneMatch) {
          throw new PreconditionFailedError(`the policy for ${JSON.stringify(service)} was changed concurrently`);
        }
        if (attempt >= MAX_ATTEMPTS) throw new PolicyConflictError(service);
      }
    }
  }
}

function checkIfMatch(conditions: WriteConditions, version: number | undefined): void {
  if (conditions.ifMatch && !conditionMatches(conditions.ifMatch, version)) {
    throw new PreconditionFailedError(
      version === undefined
        ? 'If-Match was given but there is no policy to match'
        : `If-Match does not match the current ETag ${etagOf(version)}`,
    );
  }
}
