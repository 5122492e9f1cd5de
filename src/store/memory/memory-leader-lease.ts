import { type Clock, systemClock } from '../../engine/clock';
import type { LeaderLease } from '../leader-lease';

/** One process, one possible leader; kept behind the same interface so the engine has one path. */
export class MemoryLeaderLease implements LeaderLease {
  private holder: string | undefined;
  private expiresAt = 0;
  private token = 0;

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  acquireOrRenew(holder: string, ttlMs: number): Promise<number | null> {
    const now = this.clock.now();
    if (this.holder !== undefined && this.holder !== holder && this.expiresAt > now) return Promise.resolve(null);
    if (this.holder !== holder || this.expiresAt <= now) this.token++;
    this.holder = holder;
    this.expiresAt = now + ttlMs;
    return Promise.resolve(this.token);
  }

  release(holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined;
    return Promise.resolve();
  }

  /** For fenced writes: whether `holder` with `token` is the current leader. */
  holds(holder: string, token: number): boolean {
    return this.holder === holder && this.token === token && this.expiresAt > this.clock.now();
  }
}
