import { DomainError } from '../errors/domain-error';

export class PolicyNotFoundError extends DomainError {
  constructor(readonly service: string) {
    super('not_found', `no policy for service ${JSON.stringify(service)}`);
  }
}

/** An `If-Match` or `If-None-Match` condition did not hold (412): nothing was changed. */
export class PreconditionFailedError extends DomainError {
  constructor(message: string) {
    super('precondition_failed', message);
  }
}

/** Unconditional writes kept colliding with concurrent ones (409); the client may retry. */
export class PolicyConflictError extends DomainError {
  constructor(readonly service: string) {
    super('conflict', `the policy for ${JSON.stringify(service)} kept changing concurrently; retry`);
  }
}

/** The policy database cannot be reached or refused the operation (503). */
export class PolicyDatabaseUnavailableError extends DomainError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('unavailable', `policy database unavailable: ${reason}`, options);
  }
}

/** A write lost a race to a concurrent one (its compare-and-set matched nothing): retry or 412. */
export class LostRaceError extends DomainError {
  constructor(readonly service: string) {
    super('conflict', `the policy for ${JSON.stringify(service)} changed concurrently`);
  }
}
