import type { AuditEntry, AuditPage } from './audit-log.service';
import type { AuditEntryView, AuditPageView, PolicyPageView, StoredPolicyView } from './dto/responses.dto';
import { etagOf } from './etag';
import type { PolicyPage } from './policy.service';
import type { StoredPolicy } from './stored-policy';

/** How the admin API writes stored policies and audit entries as JSON. */
export function storedPolicyView(stored: StoredPolicy): StoredPolicyView {
  return {
    service: stored.service,
    version: stored.version,
    etag: etagOf(stored.version),
    updatedAt: stored.updatedAt.toISOString(),
    updatedBy: stored.updatedBy,
    policy: stored.policy,
  };
}

export function policyPageView(page: PolicyPage, limit: number, offset: number): PolicyPageView {
  return { items: page.items.map(storedPolicyView), total: page.total, limit, offset };
}

export function auditEntryView(entry: AuditEntry): AuditEntryView {
  return { ...entry, at: entry.at.toISOString() };
}

export function auditPageView(page: AuditPage): AuditPageView {
  return { items: page.items.map(auditEntryView), next: page.next ?? null };
}
