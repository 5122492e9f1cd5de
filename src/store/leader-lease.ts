/**
 * Leadership of the calculation: one holder at a time, with a fencing token that increases
 * with every new holder, so a leader that paused past its lease cannot overwrite the work of
 * the one that replaced it.
 */
export interface LeaderLease {
  /** Takes the lease if free, or extends it if `holder` has it: the token while held, else null. */
  acquireOrRenew(holder: string, ttlMs: number): Promise<number | null>;
  /** Gives the lease up at once (graceful shutdown), if `holder` has it. */
  release(holder: string): Promise<void>;
}

export const LEADER_LEASE = Symbol('LEADER_LEASE');

/** Who may write computed probabilities: checked against the lease at write time. */
export interface Fence {
  holder: string;
  token: number;
}

/** The lease moved to another holder: the write was refused. */
export class FencedOutError extends Error {
  constructor(holder: string) {
    super(`${holder} no longer holds the leader lease`);
    this.name = 'FencedOutError';
  }
}
