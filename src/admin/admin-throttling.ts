import type { ThrottlerModuleOptions } from '@nestjs/throttler';

/**
 * Admin requests per client address: generous for operators and scripts, tight enough that
 * guessing a token is hopeless. Counted per replica, in memory.
 */
export const ADMIN_RATE_LIMIT = { limit: 100, ttlMs: 10_000 };

export const ADMIN_THROTTLING: ThrottlerModuleOptions = {
  throttlers: [{ limit: ADMIN_RATE_LIMIT.limit, ttl: ADMIN_RATE_LIMIT.ttlMs }],
  errorMessage: `too many admin requests: at most ${ADMIN_RATE_LIMIT.limit} per ${ADMIN_RATE_LIMIT.ttlMs / 1000} s per client; retry later`,
};
