import { RateLimiter } from '../../../src/client/rate-limiter';

/** How many of `n` attempts `everyMs` apart get a credit, starting at `start`. */
function spend(limiter: RateLimiter, n: number, everyMs: number, start = 0): number {
  let granted = 0;
  for (let i = 1; i <= n; i++) if (limiter.trySpend(start + i * everyMs)) granted++;
  return granted;
}

describe('RateLimiter', () => {
  it('starts full and then grants creditsPerSecond', () => {
    const limiter = new RateLimiter(5, 0);

    expect(spend(limiter, 6, 0)).toBe(5);

    // 10 s of attempts every millisecond.
    expect(spend(limiter, 10_000, 1)).toBe(50);
  });

  it('holds at most one credit below one per second, so a slow rate does not burst', () => {
    const limiter = new RateLimiter(0.5, 0);
    expect(limiter.trySpend(0)).toBe(true);

    // An hour idle: still a single credit.
    expect(limiter.trySpend(3_600_000)).toBe(true);
    expect(limiter.trySpend(3_600_001)).toBe(false);
    expect(limiter.trySpend(3_602_000)).toBe(true);
  });

  it('keeps its relative fill when the rate changes', () => {
    const limiter = new RateLimiter(10, 0);
    expect(spend(limiter, 5, 0)).toBe(5); // half of 10 left

    limiter.update(2);

    expect(spend(limiter, 5, 0)).toBe(1); // half of 2
  });

  it('ignores a clock that steps back', () => {
    const limiter = new RateLimiter(1, 1_000);
    expect(limiter.trySpend(1_000)).toBe(true);

    expect(limiter.trySpend(0)).toBe(false);
    expect(limiter.trySpend(1_000)).toBe(false);
    expect(limiter.trySpend(2_000)).toBe(true);
  });
});
