import { status } from '@grpc/grpc-js';
import { DomainError, FieldError, PermissionDeniedError, ShuttingDownError, UnauthenticatedError } from '../../../src/errors/domain-error';
import { grpcStatus } from '../../../src/errors/grpc-status';
import { httpRefusal } from '../../../src/errors/http-status';
import { PolicyDatabaseUnavailableError, PolicyNotFoundError } from '../../../src/policies/policy.errors';

describe('one translation per transport', () => {
  it.each<[string, DomainError, number, status]>([
    ['a bad field', new FieldError('operations[0].count', 'must be an integer'), 400, status.INVALID_ARGUMENT],
    ['no credentials', new UnauthenticatedError('missing token'), 401, status.UNAUTHENTICATED],
    ['out of scope', new PermissionDeniedError('not yours'), 403, status.PERMISSION_DENIED],
    ['no policy', new PolicyNotFoundError('shop'), 404, status.NOT_FOUND],
    ['a body too large', new FieldError('(body)', 'too big', 'too_large'), 413, status.RESOURCE_EXHAUSTED],
    ['the database away', new PolicyDatabaseUnavailableError('gone'), 503, status.UNAVAILABLE],
    ['shutting down', new ShuttingDownError('closing'), 503, status.UNAVAILABLE],
  ])('%s → HTTP %d, gRPC %d', (_case, error, http, grpc) => {
    expect(httpRefusal(error).status).toBe(http);
    expect(grpcStatus(error).code).toBe(grpc);
    expect(grpcStatus(error).details).toBe(error.message);
  });

  it('names the field in the HTTP body and asks for a bearer token on 401', () => {
    expect(httpRefusal(new FieldError('service', 'is required')).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      field: 'service',
      message: 'service: is required',
    });
    expect(httpRefusal(new UnauthenticatedError('invalid token', 'invalid_token')).headers).toEqual({
      'www-authenticate': 'Bearer realm="samplane", error="invalid_token"',
    });
  });

  it('asks for a retry after a while on 503, on a new connection when this replica is shutting down', () => {
    expect(httpRefusal(new PolicyDatabaseUnavailableError('gone')).headers).toEqual({ 'retry-after': '5' });
    expect(httpRefusal(new ShuttingDownError('closing')).headers).toEqual({ 'retry-after': '5', connection: 'close' });
  });

  it('keeps the message of anything unplanned private', () => {
    expect(grpcStatus(new Error('SELECT secret FROM x'))).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });
});
