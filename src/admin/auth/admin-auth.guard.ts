import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../../config/app-config';
import { ADMIN_ROLE, type AdminRequest, PRINCIPAL } from './admin-access.decorator';
import { bearerToken } from '../../auth/bearer';
import { PermissionDeniedError, UnauthenticatedError } from '../../errors/domain-error';
import { AdminTokenVerifier } from './admin-token-verifier';

const RANK: Record<Role, number> = { viewer: 0, operator: 1 };

/**
 * `Authorization: Bearer <token>` against ADMIN_TOKENS: viewers read, operators also write.
 * Without ADMIN_TOKENS every admin request is refused, so an unconfigured deployment never
 * exposes the admin API. Tokens are never logged or echoed.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: AdminTokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.verifier.configured) {
      throw new UnauthenticatedError('admin API disabled: admin tokens are not configured (set ADMIN_TOKENS)');
    }
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const principal = this.verifier.verify(bearerToken(request.headers.authorization));
    if (!principal) throw new UnauthenticatedError('invalid token', 'invalid_token');
    const needed =
      this.reflector.getAllAndOverride<Role | undefined>(ADMIN_ROLE, [context.getHandler(), context.getClass()]) ??
      'operator';
    if (RANK[principal.role] < RANK[needed]) {
      throw new PermissionDeniedError(`${principal.role} tokens may not do this; it needs an ${needed} token`);
    }
    request[PRINCIPAL] = principal;
    return true;
  }
}
