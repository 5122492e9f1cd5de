/**
 * A token bucket as Jaeger clients use it: credits accrue at `creditsPerSecond` up to
 * `max(creditsPerSecond, 1)`, each trace costs one. It starts full, like jaeger-client-go's, so
 * a new operation's first trace is kept at once.
 */
export class RateLimiter {
  private creditsPerMs: number;
  private maxBalance: number;
  private balance: number;
  private lastTick: number;

  constructor(creditsPerSecond: number, now: number) {
    this.creditsPerMs = creditsPerSecond / 1000;
    this.maxBalance = Math.max(creditsPerSecond, 1);
    this.balance = this.maxBalance;
    this.lastTick = now;
  }

  /** Takes one credit if there is one. */
  trySpend(now: number): boolean {
    // A clock that steps back must neither drain credits nor earn them twice.
    if (now > this.lastTick) {
      const balance = this.balance + (now - this.lastTick) * this.creditsPerMs;
      this.balance = balance < this.maxBalance ? balance : this.maxBalance;
      this.lastTick = now;
    }
    // Credits accrue in small fractions; without the slack, rounding can leave 0.9999999.
    if (this.balance < 1 - 1e-9) return false;
    this.balance -= 1;
    return true;
  }

  /** A new rate keeps the bucket as full, relatively, as it was: no burst, no drought. */
  update(creditsPerSecond: number): void {
    const maxBalance = Math.max(creditsPerSecond, 1);
    this.balance = (this.balance * maxBalance) / this.maxBalance;
    this.maxBalance = maxBalance;
    this.creditsPerMs = creditsPerSecond / 1000;
  }
}
