import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminApi, QUERY_PIPE } from '../policies/admin-api.decorator';
import { AdminAccess } from '../policies/auth/admin-access.decorator';
import { ListPoliciesQuery as PageQuery } from '../policies/dto/list-query.dto';
import { MAX_SERVICE_NAME } from '../policies/policy-document';
import { FieldError } from '../errors/domain-error';
import type { ServiceExplanation } from './service-views';
import { ServicesViewService } from './services-view.service';

/** Every known service and, per operation, the rate served and why. Viewers may read it. */
@ApiTags('services')
@AdminApi()
@Controller('api/v1/services')
export class ServicesController {
  constructor(private readonly views: ServicesViewService) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({
    description: 'Known services: strategy source, operation count, total and sampled traces/s, last poll per protocol.',
  })
  list(@Query(QUERY_PIPE) query: PageQuery): ReturnType<ServicesViewService['list']> {
    return this.views.list(query.limit, query.offset);
  }

  // A wildcard, as for policies: names may be longer than a route parameter allows.
  @Get('*')
  @AdminAccess('viewer')
  @ApiParam({ name: 'service', description: 'The service name, URL-encoded.' })
  @ApiOkResponse({ description: 'Per operation: probability served, traffic, source and the reason for the rate.' })
  explain(@Param('*') service: string): ServiceExplanation {
    // Counted in characters (code points), as the policies API counts them: every service that
    // can have a policy can be explained.
    const length = [...service].length;
    if (length === 0 || length > MAX_SERVICE_NAME) {
      throw new FieldError('service', `must be 1 to ${MAX_SERVICE_NAME} characters long (got ${length})`);
    }
    return this.views.explain(service);
  }
}
