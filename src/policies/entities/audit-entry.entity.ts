import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditAction = 'create' | 'replace' | 'delete';

/** One change to a policy: who, when, and the document before and after it. */
@Entity({ name: 'policy_audit' })
@Index('policy_audit_service', ['service', 'id'])
export class AuditEntryEntity {
  /** Increases with every entry: the order of the log and its page cursor. */
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: AuditAction;

  @Column({ type: 'varchar', length: 256 })
  service!: string;

  /** The policy's version after the change; for a delete, the version deleted. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'text', nullable: true })
  before!: string | null;

  @Column({ type: 'text', nullable: true })
  after!: string | null;
}
