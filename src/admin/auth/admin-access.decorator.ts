import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../config/app-config';
import type { AdminPrincipal } from './admin-token-verifier';

export const ADMIN_ROLE = 'samplane:admin-role';

/** The least role a handler needs; handlers without it need `operator`. */
export const AdminAccess = (role: Role): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ROLE, role);

/** Where the guard leaves the authenticated caller on the request. */
export const PRINCIPAL = Symbol('admin-principal');

export type AdminRequest = FastifyRequest & { [PRINCIPAL]?: AdminPrincipal };

/** The authenticated caller's name, as the audit log records it. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const principal = context.switchToHttp().getRequest<AdminRequest>()[PRINCIPAL];
  if (!principal) throw new Error('Actor used on a handler the admin guard does not protect');
  return principal.name;
});
