import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiPreconditionFailedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Policy } from '../sampling/policy';
import { AdminApi, QUERY_PIPE } from '../admin/admin-api.decorator';
import { Actor, AdminAccess } from '../admin/auth/admin-access.decorator';
import { ListPoliciesQuery } from './dto/list-query.dto';
import { DocumentedPolicyDto as PolicyDto } from './dto/policy.openapi';
import { ErrorView } from '../errors/error-view.dto';
import { PolicyPageView } from './dto/responses.dto';
import { etagOf, parseEntityTags } from './etag';
import { policyPageView } from './policy-views';
import { PolicyService } from './policy.service';

const SERVICE = {
  name: 'service',
  description: 'The service name, URL-encoded (1–256 characters); `*` is the default policy.',
  example: 'checkout',
};
const ETAG_HEADER = { ETag: { description: 'The policy’s version, for If-Match.', schema: { type: 'string' } } };

/**
 * The service is matched by a wildcard rather than a `:service` parameter: route parameters
 * are capped at 100 characters by the router (a 414), where names may have 256, and a name
 * over the limit must get a 400 naming the field. An encoded `/` (`%2F`) is part of the name.
 */
@ApiTags('policies')
@AdminApi()
@Controller('api/v1/policies')
export class PoliciesController {
  constructor(private readonly policies: PolicyService) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({ type: PolicyPageView, description: 'A page of policies, in service-name order.' })
  @ApiBadRequestResponse({ type: ErrorView })
  async list(@Query(QUERY_PIPE) query: ListPoliciesQuery): Promise<PolicyPageView> {
    return policyPageView(await this.policies.list(query.limit, query.offset), query.limit, query.offset);
  }

  @Get('*')
  @AdminAccess('viewer')
  @ApiParam(SERVICE)
  @ApiOkResponse({ type: PolicyDto, headers: ETAG_HEADER })
  @ApiNotFoundResponse({ type: ErrorView })
  async get(@Param('*') service: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Policy> {
    const stored = await this.policies.get(service);
    void reply.header('etag', etagOf(stored.version)).header('last-modified', stored.updatedAt.toUTCString());
    return stored.policy;
  }

  @Put('*')
  @AdminAccess('operator')
  @ApiParam(SERVICE)
  @ApiBody({ type: PolicyDto })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Replace only if the policy still has this ETag.' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: '`*`: create only, never replace.' })
  @ApiOkResponse({ type: PolicyDto, headers: ETAG_HEADER, description: 'Replaced.' })
  @ApiCreatedResponse({ type: PolicyDto, headers: ETAG_HEADER, description: 'Created.' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'Invalid policy; `field` names the offending field.' })
  @ApiPreconditionFailedResponse({ type: ErrorView, description: 'If-Match or If-None-Match did not hold.' })
  async put(
    @Param('*') service: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Actor() actor: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Policy> {
    const conditions = { ifMatch: parseEntityTags(ifMatch), ifNoneMatch: parseEntityTags(ifNoneMatch) };
    const { stored, created } = await this.policies.put(service, body, conditions, actor);
    void reply.code(created ? 201 : 200).header('etag', etagOf(stored.version));
    if (created) void reply.header('location', `/api/v1/policies/${encodeURIComponent(service)}`);
    return stored.policy;
  }

  @Delete('*')
  @AdminAccess('operator')
  @HttpCode(204)
  @ApiParam(SERVICE)
  @ApiHeader({ name: 'If-Match', required: false, description: 'Delete only if the policy still has this ETag.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ErrorView })
  @ApiPreconditionFailedResponse({ type: ErrorView, description: 'If-Match did not hold.' })
  async delete(
    @Param('*') service: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Actor() actor: string,
  ): Promise<void> {
    await this.policies.delete(service, { ifMatch: parseEntityTags(ifMatch) }, actor);
  }
}
