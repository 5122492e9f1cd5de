import type { Policy } from '../sampling/policy';
import type { PolicyEntity } from './entities/policy.entity';

/** A policy as stored: the document and what the admin API reports about it. */
export interface StoredPolicy {
  service: string;
  policy: Policy;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export function fromEntity(entity: PolicyEntity): StoredPolicy {
  return {
    service: entity.service,
    policy: JSON.parse(entity.document) as Policy,
    version: entity.version,
    updatedAt: entity.updatedAt,
    updatedBy: entity.updatedBy,
  };
}
