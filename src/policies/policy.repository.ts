import { type EntityManager, In } from 'typeorm';
import { isUniqueViolation } from './database-failure';
import { type AuditAction, AuditEntryEntity } from './entities/audit-entry.entity';
import { PolicyEntity } from './entities/policy.entity';
import { LostRaceError } from './policy.errors';

export interface NewAuditEntry {
  at: Date;
  actor: string;
  action: AuditAction;
  service: string;
  version: number;
  before: string | null;
  after: string | null;
}

/** Keeps `IN (…)` lists well below every driver's limit on bound parameters. */
const IN_CHUNK = 500;

/**
 * The statements behind policies and their audit log, on one `EntityManager` (inside a
 * transaction or not). Every value is a bound parameter: service names are whatever operators
 * type, quotes and all.
 */
export class PolicyRepository {
  constructor(private readonly manager: EntityManager) {}

  find(service: string): Promise<PolicyEntity | null> {
    return this.manager.findOne(PolicyEntity, { where: { service } });
  }

  /**
   * Reads a policy about to be changed, in a write transaction. On PostgreSQL the row stays
   * locked until commit, so concurrent writers of one service take turns, each reading what
   * the previous one committed, instead of failing their compare-and-set and retrying. SQLite
   * has no row locks and needs none: a write transaction there holds the database's write lock
   * from its start.
   */
  findForUpdate(service: string): Promise<PolicyEntity | null> {
    const query = this.manager.createQueryBuilder(PolicyEntity, 'policy').where('policy.service = :service', { service });
    if (this.manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
    return query.getOne();
  }

  /** A page of policies in service-name order (code point order on both backends). */
  list(limit: number, offset: number): Promise<PolicyEntity[]> {
    return this.manager.find(PolicyEntity, { order: { service: 'ASC' }, take: limit, skip: offset });
  }

  count(): Promise<number> {
    return this.manager.count(PolicyEntity);
  }

  /** Every service's current version: what a reload compares before reading documents. */
  versions(): Promise<{ service: string; version: number }[]> {
    return this.manager.find(PolicyEntity, { select: { service: true, version: true } });
  }

  async findMany(services: string[]): Promise<PolicyEntity[]> {
    const found: PolicyEntity[] = [];
    for (let i = 0; i < services.length; i += IN_CHUNK) {
      found.push(...(await this.manager.find(PolicyEntity, { where: { service: In(services.slice(i, i + IN_CHUNK)) } })));
    }
    return found;
  }

  /** Creates a policy; a concurrent create of the same service makes it throw `LostRaceError`. */
  async insert(policy: PolicyEntity): Promise<void> {
    try {
      await this.manager.insert(PolicyEntity, policy);
    } catch (error) {
      if (isUniqueViolation(error)) throw new LostRaceError(policy.service);
      throw error;
    }
  }

  /**
   * Replaces a policy only if it still has `expectedVersion`: the compare-and-set that lets
   * exactly one of several concurrent writers win. On PostgreSQL a second writer waits for the
   * first to commit, then finds the version changed and updates nothing.
   */
  async replaceIfVersion(
    service: string,
    expectedVersion: number,
    changes: Pick<PolicyEntity, 'document' | 'version' | 'updatedAt' | 'updatedBy'>,
  ): Promise<void> {
    const result = await this.manager
      .createQueryBuilder()
      .update(PolicyEntity)
      .set(changes)
      .where('service = :service AND version = :expectedVersion', { service, expectedVersion })
      .execute();
    if (result.affected !== 1) throw new LostRaceError(service);
  }

  async deleteIfVersion(service: string, expectedVersion: number): Promise<void> {
    const result = await this.manager
      .createQueryBuilder()
      .delete()
      .from(PolicyEntity)
      .where('service = :service AND version = :expectedVersion', { service, expectedVersion })
      .execute();
    if (result.affected !== 1) throw new LostRaceError(service);
  }

  /**
   * The last version the service ever had, from its audit trail (0 if none): a re-created
   * policy continues from it, so an ETag from before a delete never matches again.
   */
  async lastVersion(service: string): Promise<number> {
    const row = await this.manager
      .createQueryBuilder(AuditEntryEntity, 'audit')
      .select('MAX(audit.version)', 'last')
      .where('audit.service = :service', { service })
      .getRawOne<{ last: number | string | null }>();
    return Number(row?.last ?? 0);
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.manager.insert(AuditEntryEntity, entry);
  }

  /** Newest first; `before` is the id of the last entry of the previous page. */
  auditPage(limit: number, before?: number, service?: string): Promise<AuditEntryEntity[]> {
    const query = this.manager.createQueryBuilder(AuditEntryEntity, 'audit').orderBy('audit.id', 'DESC').limit(limit);
    if (before !== undefined) query.andWhere('audit.id < :before', { before });
    if (service !== undefined) query.andWhere('audit.service = :service', { service });
    return query.getMany();
  }
}
