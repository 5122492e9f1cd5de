import { DomainError } from '../errors/domain-error';

/** JavaScript's own errors: a bug, to be reported as one (500), not blamed on the database. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError];

/**
 * Whether an error thrown while working with the database is a failure of the database or
 * of the way to it. Drivers raise many shapes (pg's "Connection terminated unexpectedly" and
 * "Query read timeout" carry no code, a refused connection to a host with several addresses
 * is an AggregateError with no message), so everything that is neither a domain error nor a
 * programming error counts.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (error instanceof DomainError) return false;
  return !PROGRAMMING_ERRORS.some((type) => error instanceof type);
}

/** A one-line reason for logs and 503 bodies: the driver's message, never the query or its values. */
export function describeFailure(error: unknown): string {
  const reason = firstMessage(error) ?? 'unknown error';
  return reason.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function firstMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return error === undefined ? undefined : String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const message = firstMessage(inner);
      if (message) return message;
    }
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

/** A primary key already taken: a concurrent create won. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown } }).driverError ?? error;
  const code = (driverError as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
