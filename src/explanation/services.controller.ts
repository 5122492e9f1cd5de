import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi, QUERY_PIPE } from '../admin/admin-api.decorator';
import { AdminAccess } from '../admin/auth/admin-access.decorator';
import { serviceInUrl } from '../admin/service-path';
import { MAX_SERVICE_NAME } from '../policies/policy-document';
import { FieldError } from '../errors/domain-error';
import { ServiceHistoryView } from './history.dto';
import { HistoryService } from './history.service';
import type { ServiceExplanation } from './service-views';
import { ServicesQuery } from './services-query.dto';
import { ServicesViewService } from './services-view.service';

const PREFIX = '/api/v1/services';
const HISTORY = '/history';

/** Every known service and, per operation, the rate served and why. Viewers may read it. */
@ApiTags('services')
@AdminApi()
@Controller('api/v1/services')
export class ServicesController {
  constructor(
    private readonly views: ServicesViewService,
    private readonly history: HistoryService,
  ) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({
    description: 'Known services: strategy source, operation count, total and sampled traces/s, last poll per protocol.',
  })
  list(@Query(QUERY_PIPE) query: ServicesQuery): ReturnType<ServicesViewService['list']> {
    return this.views.list(query.limit, query.offset, query.search);
  }

  @Get(':service/history')
  @AdminAccess('viewer')
  @ApiParam({ name: 'service', description: 'The service name, URL-encoded.' })
  @ApiOkResponse({
    type: ServiceHistoryView,
    description:
      'The recent calculations of the service, oldest first: per operation (the busiest ones) probability, ' +
      'requests/s and sampled/s, and the service total against its budget. Bounded: see `bounds`.',
  })
  historyOf(@Param('service') service: string): Promise<ServiceHistoryView> {
    return this.history.read(checked(service));
  }

  // A wildcard, as for policies: names may be longer than a route parameter allows, and the
  // history of such a name arrives here too.
  @Get('*')
  @AdminAccess('viewer')
  @ApiParam({ name: 'service', description: 'The service name, URL-encoded.' })
  @ApiOkResponse({ description: 'Per operation: probability served, traffic, source and the reason for the rate.' })
  explain(@Req() request: FastifyRequest, @Param('*') service: string): Promise<ServiceExplanation | ServiceHistoryView> {
    const named = serviceInUrl(request.url, PREFIX, HISTORY);
    if (named !== undefined) return this.history.read(checked(named));
    return this.views.explain(checked(service));
  }
}

// Counted in characters (code points), as the policies API counts them: every service that
// can have a policy can be explained.
function checked(service: string): string {
  const length = [...service].length;
  if (length === 0 || length > MAX_SERVICE_NAME) {
    throw new FieldError('service', `must be 1 to ${MAX_SERVICE_NAME} characters long (got ${length})`);
  }
  return service;
}
