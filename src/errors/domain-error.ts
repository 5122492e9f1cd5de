/**
 * What a refusal means, independent of transport: the HTTP and the gRPC translation each map
 * these once (http-status.ts, grpc-status.ts).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'throttled'
  | 'unavailable';

/** An error raised on purpose, whose message is safe to show the caller. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input refused at the service boundary; `field` is the path named in the 400 / INVALID_ARGUMENT. */
export class FieldError extends DomainError {
  constructor(
    readonly field: string,
    reason: string,
    kind: Extract<ErrorKind, 'invalid' | 'too_large' | 'unsupported_media_type'> = 'invalid',
  ) {
    super(kind, `${field}: ${reason}`);
  }
}

/** No credentials, or ones that match no configured token (401 / UNAUTHENTICATED). */
export class UnauthenticatedError extends DomainError {
  constructor(
    message: string,
    /** The RFC 6750 error code for `WWW-Authenticate`, when credentials were presented. */
    readonly bearerError?: 'invalid_token' | 'invalid_request',
  ) {
    super('unauthenticated', message);
  }
}

/** Valid credentials that may not do this (403 / PERMISSION_DENIED). */
export class PermissionDeniedError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/**
 * This replica is shutting down (503 / UNAVAILABLE). Over HTTP the connection is closed after
 * the answer, so a retry reconnects, through a load balancer to a replica that stays.
 */
export class ShuttingDownError extends DomainError {
  constructor(message: string) {
    super('unavailable', message);
  }
}
