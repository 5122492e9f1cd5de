import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { PageQuery } from '../../admin/page-query.dto';

export const MAX_AUDIT_PAGE = 500;

/** `GET /api/v1/policies`: pages in service-name order. */
export class ListPoliciesQuery extends PageQuery {}

/** `GET /api/v1/audit`: newest first, continued with the `next` cursor of the previous page. */
export class AuditQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `must be a whole number from 1 to ${MAX_AUDIT_PAGE}` })
  @Min(1, { message: `must be a whole number from 1 to ${MAX_AUDIT_PAGE}` })
  @Max(MAX_AUDIT_PAGE, { message: `must be a whole number from 1 to ${MAX_AUDIT_PAGE}` })
  limit = 50;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Entries older than this id: the `next` of the previous page.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of at least 1 (the next cursor of a previous page)' })
  @Min(1, { message: 'must be a whole number of at least 1 (the next cursor of a previous page)' })
  before?: number;

  @ApiPropertyOptional({ type: String, description: 'Only entries about this service.' })
  @IsOptional()
  @IsString({ message: 'must be given once' })
  service?: string;
}
