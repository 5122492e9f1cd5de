/** Every error the policy rules raise on purpose; anything else from the database is a failure of it. */
export abstract class PolicyDomainError extends Error {}

/** A policy document, service name or query refused at the service boundary (400). */
export class InvalidPolicyError extends PolicyDomainError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidPolicyError';
  }
}

export class PolicyNotFoundError extends PolicyDomainError {
  constructor(readonly service: string) {
    super(`no policy for service ${JSON.stringify(service)}`);
    this.name = 'PolicyNotFoundError';
  }
}

/** An `If-Match` or `If-None-Match` condition did not hold (412): nothing was changed. */
export class PreconditionFailedError extends PolicyDomainError {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

/** Unconditional writes kept colliding with concurrent ones (409); the client may retry. */
export class PolicyConflictError extends PolicyDomainError {
  constructor(readonly service: string) {
    super(`the policy for ${JSON.stringify(service)} kept changing concurrently; retry`);
    this.name = 'PolicyConflictError';
  }
}

/** The policy database cannot be reached or refused the operation (503). */
export class PolicyDatabaseUnavailableError extends PolicyDomainError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`policy database unavailable: ${reason}`, options);
    this.name = 'PolicyDatabaseUnavailableError';
  }
}

/** A write lost a race to a concurrent one (its compare-and-set matched nothing): retry or 412. */
export class LostRaceError extends PolicyDomainError {
  constructor(readonly service: string) {
    super(`the policy for ${JSON.stringify(service)} changed concurrently`);
    this.name = 'LostRaceError';
  }
}
