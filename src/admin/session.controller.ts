import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Role } from '../config/app-config';
import { AdminApi } from './admin-api.decorator';
import { AdminAccess, type AdminRequest, PRINCIPAL } from './auth/admin-access.decorator';

/** Who a token belongs to: the dashboard signs in with it and shows edit controls to operators only. */
@ApiTags('session')
@AdminApi()
@Controller('api/v1/session')
export class SessionController {
  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({ description: 'The token’s name (as the audit log records it) and role.' })
  whoami(@Req() request: AdminRequest): { name: string; role: Role } {
    const principal = request[PRINCIPAL];
    if (!principal) throw new Error('session read on a route the admin guard does not protect');
    return { name: principal.name, role: principal.role };
  }
}
