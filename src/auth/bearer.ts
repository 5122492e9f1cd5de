import { UnauthenticatedError } from '../errors/domain-error';

/** The token of an `Authorization: Bearer <token>` header (or gRPC `authorization` metadata). */
export function bearerToken(header: string | undefined): string {
  if (header === undefined) throw new UnauthenticatedError('missing Authorization: Bearer <token>');
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw new UnauthenticatedError('Authorization must be "Bearer <token>"', 'invalid_request');
  return match[1];
}
