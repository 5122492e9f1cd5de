import { type LeaderLease } from '../leader-lease';
import { redisCall } from './redis-batch';
import type { RedisConnection } from './redis-client';
import { RedisKeys } from './redis-keys';

// The value is "holder|token", the form RedisStore's fenced save compares against. Holders
// may contain "|" themselves, so the token is what follows the last one.
const HOLDER_AND_TOKEN = `local holder, token = string.match(current, '^(.*)|(%d+)$')`;

// Renew when we hold it, take it when free, and bump the fencing token only for a new holder.
// A missing counter (a Redis that lost its data) restarts from the server clock in µs, not 1,
// so tokens keep increasing across data loss and a leader that re-acquires after it starts a
// new term rather than continuing over a window whose counts were lost.
const ACQUIRE_OR_RENEW = `
local current = redis.call('GET', KEYS[1])
if current then
  ${HOLDER_AND_TOKEN}
  if holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(token)
  end
  return false
end
local token
if redis.call('EXISTS', KEYS[2]) == 1 then
  token = redis.call('INCR', KEYS[2])
else
  local now = redis.call('TIME')
  token = tonumber(now[1]) * 1000000 + tonumber(now[2])
  redis.call('SET', KEYS[2], string.format('%d', token))
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. string.format('%d', token), 'PX', ARGV[2])
return token`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
${HOLDER_AND_TOKEN}
if holder == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class RedisLeaderLease implements LeaderLease {
  private readonly leaseKey: string;
  private readonly tokenKey: string;

  constructor(
    private readonly client: RedisConnection,
    prefix: string,
  ) {
    const keys = new RedisKeys(prefix);
    this.leaseKey = keys.leader;
    this.tokenKey = keys.leaderToken;
  }

  async acquireOrRenew(holder: string, ttlMs: number): Promise<number | null> {
    const token = await redisCall(() => this.client.eval(ACQUIRE_OR_RENEW, 2, this.leaseKey, this.tokenKey, holder, ttlMs) as Promise<number | null>);
    return token ?? null;
  }

  async release(holder: string): Promise<void> {
    await redisCall(() => this.client.eval(RELEASE, 1, this.leaseKey, holder));
  }
}
