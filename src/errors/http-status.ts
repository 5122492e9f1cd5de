import { type DomainError, type ErrorKind, FieldError, ShuttingDownError, UnauthenticatedError } from './domain-error';

const STATUS: Record<ErrorKind, [number, string]> = {
  invalid: [400, 'Bad Request'],
  unauthenticated: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  not_found: [404, 'Not Found'],
  conflict: [409, 'Conflict'],
  precondition_failed: [412, 'Precondition Failed'],
  too_large: [413, 'Payload Too Large'],
  unsupported_media_type: [415, 'Unsupported Media Type'],
  throttled: [429, 'Too Many Requests'],
  unavailable: [503, 'Service Unavailable'],
};

/** Seconds a client should wait before retrying while a dependency is away. */
const RETRY_AFTER_SECONDS = 5;

export interface HttpRefusal {
  status: number;
  headers: Record<string, string>;
  /** `{statusCode, error, field?, message}`, the shape every refusal has. */
  body: { statusCode: number; error: string; field?: string; message: string };
}

/** The one HTTP translation of domain errors. */
export function httpRefusal(error: DomainError): HttpRefusal {
  const [status, label] = STATUS[error.kind];
  const headers: Record<string, string> = {};
  if (error instanceof UnauthenticatedError) {
    const code = error.bearerError ? `, error="${error.bearerError}"` : '';
    headers['www-authenticate'] = `Bearer realm="samplane"${code}`;
  }
  if (error.kind === 'unavailable') headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  if (error instanceof ShuttingDownError) headers.connection = 'close';
  // `field` before `message`: the order clients have always seen.
  const body: HttpRefusal['body'] =
    error instanceof FieldError
      ? { statusCode: status, error: label, field: error.field, message: error.message }
      : { statusCode: status, error: label, message: error.message };
  return { status, headers, body };
}
