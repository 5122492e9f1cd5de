import type { ChainableCommander } from 'ioredis';
import type { CountedOperation } from '../../sampling/counted-operation';
import { type ThroughputStore, mergeCounted } from '../throughput-store';
import { RedisBatch } from './redis-batch';
import type { RedisConnection } from './redis-client';
import { RedisKeys, THROUGHPUT_SHARDS, shardOf } from './redis-keys';

/**
 * Slots are, per shard of services, a hash of counters (`s|` sampled, `r|` requests, `x|`
 * exactly counted requests, `e|` errors, `o|` requests whose outcome was seen, + JSON
 * [service, operation]) and a set of seen probabilities; both expire after `retentionMs`, so
 * Redis holds only the window the engine can still read, and no hash holds the whole fleet.
 * Watermarks live in one sorted set (replica → flushed-through ms), pruned by the leader and
 * expiring with the slots; it is written after the counts, so a slot a watermark covers is whole.
 */
export class RedisThroughputStore implements ThroughputStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly client: RedisConnection,
    prefix: string,
    readonly slotMs: number,
    private readonly retentionMs: number,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async flush(replica: string, drainedAt: number, records: CountedOperation[]): Promise<void> {
    const slot = Math.floor(drainedAt / this.slotMs) * this.slotMs;
    const byShard = new Map<number, CountedOperation[]>();
    for (const r of records) {
      const shard = shardOf(r.service, THROUGHPUT_SHARDS);
      const list = byShard.get(shard);
      if (list) list.push(r);
      else byShard.set(shard, [r]);
    }
    const batch = new RedisBatch(this.client);
    for (const [shard, shardRecords] of byShard) {
      const counters = this.keys.slotCounters(shard, slot);
      const probabilities = this.keys.slotProbabilities(shard, slot);
      batch.add(String(shard), (pipeline) => {
        const members: string[] = [];
        for (const r of shardRecords) {
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
        pipeline.pexpire(counters, this.retentionMs);
      });
    }
    // Every flush refreshes the expiry, so the set outlives any live replica; it only goes away
    // once the whole fleet has been silent for the retention, like the slots it describes.
    const watermark = (pipeline: ChainableCommander) =>
      pipeline.zadd(this.keys.flushed, drainedAt, replica).pexpire(this.keys.flushed, this.retentionMs);
    // One pipeline keeps its order: the watermark follows the counts in the same round trip.
    // A cluster's pipelines run in parallel, so there it waits for them.
    if (!batch.parallel) batch.add('control', watermark);
    await batch.exec();
    if (batch.parallel) await new RedisBatch(this.client).add('control', watermark).exec();
  }

  async read(fromMs: number, toMs: number): Promise<CountedOperation[]> {
    const slots: number[] = [];
    for (let slot = fromMs; slot < toMs; slot += this.slotMs) slots.push(slot);
    if (slots.length === 0) return [];
    const batch = new RedisBatch(this.client);
    for (let shard = 0; shard < THROUGHPUT_SHARDS; shard++) {
      batch.add(String(shard), (pipeline) => {
        for (const slot of slots) pipeline.hgetall(this.keys.slotCounters(shard, slot)).smembers(this.keys.slotProbabilities(shard, slot));
      });
    }
    const results = await batch.exec();
    const records: CountedOperation[] = [];
    for (const values of results.values()) {
      for (let i = 0; i < values.length; i += 2) {
        records.push(...decodeSlot(values[i] as Record<string, string>, values[i + 1] as string[]));
      }
    }
    return mergeCounted(records);
  }

  async flushedThrough(aliveSince: number): Promise<number | undefined> {
    const key = this.keys.flushed;
    const results = await new RedisBatch(this.client)
      .add('control', (pipeline) =>
        // Replicas gone for good would otherwise stay in the set forever.
        pipeline.zremrangebyscore(key, '-inf', `(${aliveSince}`).zrange(key, '0', '0', 'WITHSCORES'),
      )
      .exec();
    const lowest = (results.get('control') ?? [])[1] as string[];
    return lowest.length === 2 ? Number(lowest[1]) : undefined;
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
