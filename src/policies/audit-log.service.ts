import type { Policy } from '../sampling/policy';
import type { AuditAction } from './entities/audit-entry.entity';
import { PolicyDatabase } from './policy-database';
import { checkServiceName } from './policy-document';
import { PolicyRepository } from './policy.repository';

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: AuditAction;
  service: string;
  version: number;
  before: Policy | null;
  after: Policy | null;
}

export interface AuditPage {
  items: AuditEntry[];
  /** The `before` cursor of the next (older) page; undefined on the last page. */
  next: number | undefined;
}

/** Reads the audit log. Entries are written by `PolicyService`, in the transaction of each change. */
export class AuditLogService {
  constructor(private readonly database: PolicyDatabase) {}

  async page(limit: number, before?: number, service?: string): Promise<AuditPage> {
    if (service !== undefined) checkServiceName(service);
    // One more than asked tells whether an older page exists without counting the log.
    const rows = await this.database.run((m) => new PolicyRepository(m).auditPage(limit + 1, before, service));
    const items = rows.slice(0, limit).map(
      (row): AuditEntry => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        service: row.service,
        version: row.version,
        before: row.before === null ? null : (JSON.parse(row.before) as Policy),
        after: row.after === null ? null : (JSON.parse(row.after) as Policy),
      }),
    );
    return { items, next: rows.length > limit ? items[items.length - 1].id : undefined };
  }
}
