import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiExcludeEndpoint, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminApi } from '../admin/admin-api.decorator';
import { AdminAccess } from '../admin/auth/admin-access.decorator';
import { serviceInUrl } from '../admin/service-path';
import { DocumentedPolicyDto } from '../policies/dto/policy.openapi';
import { ErrorView } from '../errors/error-view.dto';
import { PolicyNotFoundError } from '../policies/policy.errors';
import { PolicyPreviewView } from './dashboard.dto';
import type { PolicyPreview } from './policy-preview';
import { PreviewService } from './preview.service';

const PREFIX = '/api/v1/policies';
const PREVIEW = '/preview';

/** Operators try a policy on recent traffic before saving it. */
@ApiTags('policies')
@AdminApi()
@Controller('api/v1/policies')
export class PreviewController {
  constructor(private readonly previews: PreviewService) {}

  @Post(':service/preview')
  @HttpCode(200)
  @AdminAccess('operator')
  @ApiParam({ name: 'service', description: 'The service name, URL-encoded.' })
  @ApiBody({ type: DocumentedPolicyDto, description: 'The draft policy, as it would be PUT.' })
  @ApiOkResponse({
    type: PolicyPreviewView,
    description:
      'Per operation: the probability served now and the one the draft would serve, each with the sampled ' +
      'traces/s it yields at the recent request rate; the service totals. Nothing is stored.',
  })
  @ApiBadRequestResponse({ type: ErrorView, description: 'Invalid draft; `field` names the offending field.' })
  preview(@Param('service') service: string, @Body() body: unknown): Promise<PolicyPreview> {
    return this.previews.preview(service, body);
  }

  // Encoded names longer than a route parameter allows arrive here.
  @Post('*')
  @HttpCode(200)
  @AdminAccess('operator')
  @ApiExcludeEndpoint()
  @ApiNotFoundResponse({ type: ErrorView })
  long(@Req() request: FastifyRequest, @Body() body: unknown): Promise<PolicyPreview> {
    const service = serviceInUrl(request.url, PREFIX, PREVIEW);
    if (service === undefined) throw new PolicyNotFoundError(request.url);
    return this.previews.preview(service, body);
  }
}
