import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../admin/page-query.dto';

/** `GET /api/v1/services`: a page of services in name order, optionally those whose name contains `search`. */
export class ServicesQuery extends PageQuery {
  @ApiPropertyOptional({ type: String, description: 'Only services whose name contains this text (case-insensitive).' })
  @IsOptional()
  @IsString({ message: 'must be given once' })
  @MaxLength(256, { message: 'must be at most 256 characters long' })
  search?: string;
}
