import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { AdminForbiddenError, AdminUnauthorizedError } from './auth/admin-auth.errors';
import {
  InvalidPolicyError,
  PolicyConflictError,
  PolicyDatabaseUnavailableError,
  PolicyNotFoundError,
  PreconditionFailedError,
} from '../policies/policy.errors';
import { StoreUnavailableError } from '../store/store';

const STATUS = new Map<abstract new (...args: never[]) => Error, [number, string]>([
  [InvalidPolicyError, [400, 'Bad Request']],
  [AdminUnauthorizedError, [401, 'Unauthorized']],
  [AdminForbiddenError, [403, 'Forbidden']],
  [PolicyNotFoundError, [404, 'Not Found']],
  [PolicyConflictError, [409, 'Conflict']],
  [PreconditionFailedError, [412, 'Precondition Failed']],
  [ThrottlerException, [429, 'Too Many Requests']],
  [PolicyDatabaseUnavailableError, [503, 'Service Unavailable']],
  [StoreUnavailableError, [503, 'Service Unavailable']],
]);

/** Seconds a client should wait before retrying while the database is away. */
const RETRY_AFTER_SECONDS = 5;

/** Turns the admin API's domain errors (policies, auth, paging) into status codes and `{statusCode, error, message}`. */
@Catch(...STATUS.keys())
export class AdminErrorFilter implements ExceptionFilter {
  catch(error: Error, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [statusCode, label] = STATUS.get(error.constructor as abstract new (...args: never[]) => Error) ?? [500, 'Internal Server Error'];
    const body: Record<string, unknown> = { statusCode, error: label };
    if (error instanceof InvalidPolicyError) body.field = error.field;
    body.message = error.message;
    if (error instanceof AdminUnauthorizedError) {
      const code = error.bearerError ? `, error="${error.bearerError}"` : '';
      void reply.header('www-authenticate', `Bearer realm="samplane"${code}`);
    }
    if (error instanceof PolicyDatabaseUnavailableError || error instanceof StoreUnavailableError) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    void reply.code(statusCode).send(body);
  }
}
