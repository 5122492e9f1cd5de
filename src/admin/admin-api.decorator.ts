import { UseGuards, ValidationPipe, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { ErrorView } from '../errors/error-view.dto';
import { VALIDATION_OPTIONS, firstProblem } from '../policies/policy-document';
import { FieldError } from '../errors/domain-error';

/**
 * What every admin controller has: rate limiting first (so guessing tokens is throttled too),
 * then bearer authentication. SDK-facing routes carry none of it.
 */
export const AdminApi = (): ClassDecorator =>
  applyDecorators(
    UseGuards(ThrottlerGuard, AdminAuthGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorView, description: 'No token, a wrong token, or ADMIN_TOKENS unset.' }),
    ApiForbiddenResponse({ type: ErrorView, description: 'A viewer token on a write.' }),
    ApiTooManyRequestsResponse({ description: 'More admin requests than the rate limit allows.' }),
    ApiServiceUnavailableResponse({ type: ErrorView, description: 'The policy database is unavailable.' }),
  );

/** Query strings: unknown parameters are refused, and a 400 names the parameter. */
export const QUERY_PIPE = new ValidationPipe({
  ...VALIDATION_OPTIONS,
  transform: true,
  exceptionFactory: (errors) => {
    const problem = firstProblem(errors) ?? { field: 'query', reason: 'is invalid' };
    return new FieldError(problem.field, problem.reason);
  },
});
