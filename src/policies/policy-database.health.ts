import { PolicyDatabase } from './policy-database';
import { PolicyDatabaseUnavailableError } from './policy.errors';

/** Readiness probes must answer quickly even when the database hangs. */
const PING_TIMEOUT_MS = 2_000;

/** Whether the policy database answers, for `/readyz`. */
export class PolicyDatabaseHealth {
  constructor(private readonly database: PolicyDatabase) {}

  get backend(): string {
    return this.database.backend;
  }

  /** Resolves when a trivial statement succeeds; rejects with the reason otherwise. */
  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PolicyDatabaseUnavailableError(`no answer within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.database.run((m) => m.query('SELECT 1')), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
