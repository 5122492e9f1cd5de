import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE = 1000;

/** `?limit=&offset=` of the admin lists that page by position. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `must be a whole number from 1 to ${MAX_PAGE}` })
  @Min(1, { message: `must be a whole number from 1 to ${MAX_PAGE}` })
  @Max(MAX_PAGE, { message: `must be a whole number from 1 to ${MAX_PAGE}` })
  limit = 100;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Items to skip.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number of at least 0' })
  @Min(0, { message: 'must be a whole number of at least 0' })
  offset = 0;
}
