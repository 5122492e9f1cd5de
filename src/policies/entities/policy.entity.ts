import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One operator policy. Its document is the validated JSON text, read back as it was written. */
@Entity({ name: 'policies' })
export class PolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 256 })
  service!: string;

  @Column({ type: 'text' })
  document!: string;

  /** Increases with every change; the ETag is made from it. */
  @Column({ type: 'integer' })
  version!: number;

  // `Date` rather than a named type: each backend maps it to its own timestamp type, and
  // the migrations say which.
  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;
}
