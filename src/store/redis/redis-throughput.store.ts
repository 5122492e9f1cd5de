import type Redis from 'ioredis';
import type { CountedOperation } from '../../sampling/counted-operation';
import { StoreUnavailableError } from '../store';
import { type ThroughputStore, mergeCounted } from '../throughput-store';

/**
 * Slots are a hash of counters (`s|` sampled, `r|` requests, `x|` exactly counted requests,
 * `e|` errors, `o|` requests whose outcome was seen, + JSON [service, operation]) and a set of
 * seen probabilities per slot; both expire after `retentionMs`, so Redis holds only the window
 * the engine can still read. Watermarks live in one sorted set (replica → flushed-through ms),
 * pruned by the leader and expiring with the slots.
 */
export class RedisThroughputStore implements ThroughputStore {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    readonly slotMs: number,
    private readonly retentionMs: number,
  ) {}

  async flush(replica: string, drainedAt: number, records: CountedOperation[]): Promise<void> {
    const slot = Math.floor(drainedAt / this.slotMs) * this.slotMs;
    const counters = `${this.prefix}tp:${slot}`;
    const probabilities = `${this.prefix}tpp:${slot}`;
    const pipeline = this.client.pipeline();
    const members: string[] = [];
    for (const r of records) {
      const key = JSON.stringify([r.service, r.operation]);
      if (r.sampled > 0) pipeline.hincrby(counters, `s|${key}`, r.sampled);
      if (r.requests > 0) pipeline.hincrbyfloat(counters, `r|${key}`, r.requests);
      if (r.exact) pipeline.hincrby(counters, `x|${key}`, r.exact);
      if (r.errors > 0) pipeline.hincrby(counters, `e|${key}`, r.errors);
      if (r.outcomes) pipeline.hincrby(counters, `o|${key}`, r.outcomes);
      // A zero field still records that the operation was seen in this slot.
      if (r.sampled === 0 && r.requests === 0) pipeline.hincrby(counters, `s|${key}`, 0);
      for (const p of r.probabilities) members.push(JSON.stringify([r.service, r.operation, p]));
    }
    if (members.length > 0) pipeline.sadd(probabilities, ...members).pexpire(probabilities, this.retentionMs);
    if (records.length > 0) pipeline.pexpire(counters, this.retentionMs);
    // Every flush refreshes the expiry, so the set outlives any live replica; it only goes away
    // once the whole fleet has been silent for the retention, like the slots it describes.
    const flushed = `${this.prefix}flushed`;
    pipeline.zadd(flushed, drainedAt, replica).pexpire(flushed, this.retentionMs);
    await this.exec(pipeline);
  }

  async read(fromMs: number, toMs: number): Promise<CountedOperation[]> {
    const pipeline = this.client.pipeline();
    const slots: number[] = [];
    for (let slot = fromMs; slot < toMs; slot += this.slotMs) {
      slots.push(slot);
      pipeline.hgetall(`${this.prefix}tp:${slot}`).smembers(`${this.prefix}tpp:${slot}`);
    }
    if (slots.length === 0) return [];
    const results = await this.exec(pipeline);
    const records: CountedOperation[] = [];
    for (let i = 0; i < slots.length; i++) {
      const counters = results[2 * i] as Record<string, string>;
      const seen = results[2 * i + 1] as string[];
      records.push(...decodeSlot(counters, seen));
    }
    return mergeCounted(records);
  }

  async flushedThrough(aliveSince: number): Promise<number | undefined> {
    const key = `${this.prefix}flushed`;
    const pipeline = this.client.pipeline();
    // Replicas gone for good would otherwise stay in the set forever.
    pipeline.zremrangebyscore(key, '-inf', `(${aliveSince}`);
    pipeline.zrange(key, '0', '0', 'WITHSCORES');
    const results = await this.exec(pipeline);
    const lowest = results[1] as string[];
    return lowest.length === 2 ? Number(lowest[1]) : undefined;
  }

  private async exec(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
    if (!results) throw new StoreUnavailableError('redis: pipeline was discarded');
    return results.map(([error, value]) => {
      if (error) throw new StoreUnavailableError(`redis: ${error.message}`, { cause: error });
      return value;
    });
  }
}

function decodeSlot(counters: Record<string, string>, seen: string[]): CountedOperation[] {
  const byKey = new Map<string, CountedOperation>();
  const entry = (key: string): CountedOperation => {
    let record = byKey.get(key);
    if (!record) {
      const [service, operation] = JSON.parse(key) as [string, string];
      record = { service, operation, sampled: 0, requests: 0, errors: 0, probabilities: [] };
      byKey.set(key, record);
    }
    return record;
  };
  for (const [field, value] of Object.entries(counters)) {
    const record = entry(field.slice(2));
    const amount = Number(value);
    if (field.startsWith('s|')) record.sampled += amount;
    else if (field.startsWith('r|')) record.requests += amount;
    else if (field.startsWith('e|')) record.errors += amount;
    else if (field.startsWith('x|')) record.exact = (record.exact ?? 0) + amount;
    else if (field.startsWith('o|')) record.outcomes = (record.outcomes ?? 0) + amount;
  }
  for (const member of seen) {
    const [service, operation, p] = JSON.parse(member) as [string, string, string];
    const record = entry(JSON.stringify([service, operation]));
    if (!record.probabilities.includes(p)) record.probabilities.push(p);
  }
  return [...byKey.values()];
}
