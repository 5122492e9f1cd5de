import { ApiProperty } from '@nestjs/swagger';
import { DocumentedPolicyDto as PolicyDto } from './policy.openapi';

/** The shapes the admin API answers with, for the OpenAPI document. */
export class StoredPolicyView {
  @ApiProperty({ example: 'checkout' })
  service!: string;

  @ApiProperty({ description: 'Increases with every change of this service’s policy.' })
  version!: number;

  @ApiProperty({ example: '"3"', description: 'The ETag of the policy, for If-Match.' })
  etag!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ description: 'Name of the admin token that made the last change.' })
  updatedBy!: string;

  @ApiProperty({ type: PolicyDto })
  policy!: PolicyDto;
}

export class PolicyPageView {
  @ApiProperty({ type: [StoredPolicyView] })
  items!: StoredPolicyView[];

  @ApiProperty({ description: 'Policies in all.' })
  total!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty()
  offset!: number;
}

export class AuditEntryView {
  @ApiProperty({ description: 'Increases with every entry.' })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty({ description: 'Name of the admin token that made the change.' })
  actor!: string;

  @ApiProperty({ enum: ['create', 'replace', 'delete'] })
  action!: string;

  @ApiProperty()
  service!: string;

  @ApiProperty({ description: 'The version after the change; for a delete, the version deleted.' })
  version!: number;

  @ApiProperty({ type: PolicyDto, nullable: true })
  before!: PolicyDto | null;

  @ApiProperty({ type: PolicyDto, nullable: true })
  after!: PolicyDto | null;
}

export class AuditPageView {
  @ApiProperty({ type: [AuditEntryView] })
  items!: AuditEntryView[];

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Pass as `before` for the next (older) page; null on the last page.',
  })
  next!: number | null;
}
