import { type StatusObject, Metadata, status } from '@grpc/grpc-js';
import { DomainError, type ErrorKind } from './domain-error';

const CODE: Record<ErrorKind, status> = {
  invalid: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.ABORTED,
  precondition_failed: status.FAILED_PRECONDITION,
  too_large: status.RESOURCE_EXHAUSTED,
  unsupported_media_type: status.INVALID_ARGUMENT,
  throttled: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
};

/** The one gRPC translation of domain errors; anything else is INTERNAL, its message kept private. */
export function grpcStatus(error: unknown): Partial<StatusObject> {
  if (error instanceof DomainError) return { code: CODE[error.kind], details: error.message, metadata: new Metadata() };
  return { code: status.INTERNAL, details: 'internal error', metadata: new Metadata() };
}

/** The google.rpc.Status code of a kind, for bodies (OTLP/HTTP) that carry one. */
export function grpcCode(kind: ErrorKind): number {
  return CODE[kind];
}
