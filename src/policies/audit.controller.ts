import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminApi, QUERY_PIPE } from '../admin/admin-api.decorator';
import { AuditLogService } from './audit-log.service';
import { AdminAccess } from '../admin/auth/admin-access.decorator';
import { AuditQuery } from './dto/list-query.dto';
import { ErrorView } from '../errors/error-view.dto';
import { AuditPageView } from './dto/responses.dto';
import { auditPageView } from './policy-views';

@ApiTags('audit')
@AdminApi()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({ type: AuditPageView, description: 'Policy changes, newest first.' })
  @ApiBadRequestResponse({ type: ErrorView })
  async page(@Query(QUERY_PIPE) query: AuditQuery): Promise<AuditPageView> {
    return auditPageView(await this.audit.page(query.limit, query.before, query.service));
  }
}
