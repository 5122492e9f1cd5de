import { UNSLICED } from '../../common/time-slicer';
import type { ChainableCommander } from 'ioredis';
import type { CountedOperation } from '../../sampling/counted-operation';
import { FlushBatch } from '../flush-batch';
import { FlushBlockNames, blockHead } from '../flush-blocks';
import { FlushLineScanner } from '../flush-line-scanner';
import { JsonLineWriter } from '../json-line-writer';
import { PackedCounts } from '../packed-counts';
import { decodeFlushes, decodePacked } from '../flush-decoding';
import { type IntervalCounts, intervalLine, servicesOf, toCounted } from '../throughput-counts';
import { slotsBetween } from '../throughput-intervals';
import { FlushNotWrittenError, type PackedReadOptions, type ReadOptions, type ThroughputStore } from '../throughput-store';
import { parseManifest } from './probability-shards';
import { RedisBatch, redisCall } from './redis-batch';
import { type SlotText, UnwrittenSlots } from './unwritten-slots';
import type { RedisConnection } from './redis-client';
import { RedisKeys, THROUGHPUT_SHARDS, servicesByShard, shardOf } from './redis-keys';

/** Shards read per round trip: a reply holds every slot of its shards, ~25 MiB at 200,000 operations. */
const SHARDS_PER_READ = 32;
/** Slot keys left without an expiry that are tried again (each a shard's second of counts). */
const MAX_UNEXPIRED = 65_536;
/** Shard slots written per round trip. */
const SHARDS_PER_WRITE = 64;
/**
 * A slot is, per shard of services, one string to which every flush falling in it appends its
 * records as text (see `encodeFlush`): a flush costs one APPEND per shard it touches however
 * many operations it carries, and no value holds more than one shard's second of reports.
 * Values expire after `retentionMs`, so Redis holds only the window the engine can still read.
 * Each interval the leader calculates is kept summed, one line per service, for `keptMs` (a
 * value per shard, listed in a sorted set by its end): a new leader's history reads those.
 * Watermarks live in one sorted set (replica → flushed-through ms), pruned by the leader and
 * expiring with the slots; it is written after the counts, so a slot a watermark covers is whole.
 */
export class RedisThroughputStore implements ThroughputStore {
  private readonly keys: RedisKeys;
  /** What failed flushes could not write, for the next flush. */
  private readonly unwritten: UnwrittenSlots;
  /** Reads of the whole fleet share one scanner, which remembers the names the last one read. */
  private readonly scanner = new FlushLineScanner();
  /** Slot keys a flush appended to whose expiry it could not set, by shard. */
  private readonly unexpired = new Map<string, number>();
  private readonly blocks = new FlushBlockNames();

  constructor(
    private readonly client: RedisConnection,
    prefix: string,
    readonly slotMs: number,
    private readonly retentionMs: number,
    /** The longest window a record's counts are spread over (records are kept at its start). */
    private readonly maxWindowMs = 0,
    /** How long calculated intervals are kept summed (see `keepInterval`). */
    private readonly keptMs = retentionMs,
  ) {
    this.keys = new RedisKeys(prefix);
    this.unwritten = new UnwrittenSlots(retentionMs);
  }

  async flush(replica: string, drainedAt: number, counts: CountedOperation[] | FlushBatch, slicer = UNSLICED): Promise<{ dropped: number }> {
    const batch = counts instanceof FlushBatch ? counts : FlushBatch.of(counts);
    // What the last flushes could not write goes first, into the slots its counts belong to,
    // unless no calculation will read them (it waits for a failing replica 5 s at most).
    const groups = this.unwritten.holding ? this.unwritten.take(drainedAt, await this.readSlots()) : new Map<string, SlotText>();
    // This flush's text for each slot is a block of its own, read once however often written.
    const blocks = new Map<string, { shard: number; slot: number; lines: Buffer[]; bytes: number; operations: number }>();
    // Encoded a service at a time, giving polls their turn: a large fleet's second of counts is
    // megabytes of text.
    for (const line of batch.lines(drainedAt)) {
      const shard = shardOf(line.service, THROUGHPUT_SHARDS);
      const slot = Math.floor(line.startMs / this.slotMs) * this.slotMs;
      const key = `${shard}|${slot}`;
      const block = blocks.get(key);
      if (block) {
        block.lines.push(line.bytes);
        block.bytes += line.bytes.length;
        block.operations += line.operations;
      } else blocks.set(key, { shard, slot, lines: [line.bytes], bytes: line.bytes.length, operations: line.operations });
      if (slicer.due()) await slicer.yield();
    }
    const name = this.blocks.name();
    for (const [key, block] of blocks) {
      const head = Buffer.from(blockHead(name, block.lines.length));
      const kept = groups.get(key);
      // One value per slot, the lines copied out of the arenas they were written into.
      const parts = kept ? [kept.bytes, head, ...block.lines] : [head, ...block.lines];
      const bytes = Buffer.concat(parts, (kept?.bytes.length ?? 0) + head.length + block.bytes);
      groups.set(key, { shard: block.shard, slot: block.slot, bytes, operations: (kept?.operations ?? 0) + block.operations });
      if (slicer.due()) await slicer.yield();
    }
    // Copied: the arenas the lines were written into go before the writes.
    blocks.clear();
    const pending = [...groups.values()];
    await this.expireLeftovers();
    let failure: Error | undefined;
    for (let first = 0; first < pending.length; first += SHARDS_PER_WRITE) {
      const writes = new RedisBatch(this.client);
      for (const group of pending.slice(first, first + SHARDS_PER_WRITE)) {
        const key = this.keys.slotCounts(group.shard, group.slot);
        // Redis may take some shards' appends and refuse others.
        writes.add(String(group.shard), (pipeline) => pipeline.append(key, group.bytes).pexpire(key, this.retentionMs), ([error, expiry]) => {
          // Written again by the next flush, which sets the expiry too.
          if (error) {
            this.unwritten.keep(group);
            failure ??= error;
          }
          // Taken without its expiry: set by a later flush (the counts are in: not a failed flush).
          else if (expiry && this.unexpired.size < MAX_UNEXPIRED) this.unexpired.set(key, group.shard);
        });
      }
      await writes.settle();
    }
    // After the counts' replies, and only once all were taken: a slot a watermark covers is whole.
    if (!failure) {
      failure = await new RedisBatch(this.client).add('control', (pipeline) => this.watermark(pipeline, replica, drainedAt)).settle();
    }
    const dropped = this.unwritten.takeDropped();
    if (failure) throw new FlushNotWrittenError(`redis: ${failure.message}`, this.unwritten.operations, dropped, failure);
    return { dropped };
  }

  /**
   * Expires the slots an earlier flush appended to but could not set the expiry of. One that
   * fails again is tried at the next flush: the counts are in, so the flush is not failed for it.
   */
  private async expireLeftovers(): Promise<void> {
    if (this.unexpired.size === 0) return;
    const batch = new RedisBatch(this.client);
    for (const [key, shard] of this.unexpired) {
      batch.add(String(shard), (pipeline) => pipeline.pexpire(key, this.retentionMs), ([error]) => {
        if (!error) this.unexpired.delete(key);
      });
    }
    await batch.settle();
  }

  /**
   * Which slots no calculation will read again: those whose records' windows all end by where
   * the saved snapshot's data ends, which a new term resumes from (the kept intervals may reach
   * further, for a calculation whose save was fenced off). None where it cannot be read.
   */
  private async readSlots(): Promise<(slot: number) => boolean> {
    const manifest = await redisCall(() => this.client.get(this.keys.manifest)).catch(() => null);
    let through = Number.NEGATIVE_INFINITY;
    try {
      through = (manifest !== null && parseManifest(manifest).dataThrough) || through;
    } catch {
      // A manifest of a format this replica does not read tells nothing: everything kept is written.
    }
    return (slot) => slot + this.slotMs + this.maxWindowMs <= through;
  }

  /**
   * Every flush refreshes the expiry, so the set outlives any live replica; it only goes away
   * once the whole fleet has been silent for the retention, like the slots it describes.
   */
  private watermark(pipeline: ChainableCommander, replica: string, drainedAt: number): void {
    pipeline.zadd(this.keys.flushed, drainedAt, replica).pexpire(this.keys.flushed, this.retentionMs);
  }

  /**
   * One MGET per shard over all the slots asked for (a shard's slots share its hash tag), 32
   * shards per pipeline: the round trips (8) do not grow with the slots, the intervals or the
   * fleet, and the values are decoded a slice at a time so a large read does not hold the
   * event loop.
   */
  async readIntervals(bounds: number[], options: ReadOptions = {}): Promise<IntervalCounts[]> {
    // Records spread over a window are kept at its start: those reaching into the first
    // interval may start up to a window earlier.
    const slots = slotsBetween(bounds, this.slotMs, this.maxWindowMs);
    if (slots.length === 0) return bounds.slice(1).map(() => new Map());
    return this.readIntoIntervals(bounds, (shard) => slots.map((slot) => this.keys.slotCounts(shard, slot)), options);
  }

  /** Every shard's values under `keys(shard)`, decoded into the intervals of `bounds`. */
  private async readIntoIntervals(bounds: number[], keys: (shard: number) => string[], options: ReadOptions): Promise<IntervalCounts[]> {
    const intervals: IntervalCounts[] = bounds.slice(1).map(() => new Map());
    await this.readShards(keys, options, (text, scanner) => decodeFlushes(text, bounds, intervals, options.service, scanner, options.recentFrom));
    return intervals;
  }

  /** Every shard's values under `keys(shard)`, each given to `decode` as read. */
  private async readShards(
    keys: (shard: number) => string[],
    options: ReadOptions,
    decode: (text: string, scanner: FlushLineScanner) => void,
  ): Promise<void> {
    // The fleet's names and lists repeat from one read to the next: a whole read reuses them.
    const scanner = options.service === undefined ? this.scanner : new FlushLineScanner();
    if (options.service === undefined) scanner.beginRead();
    const shards =
      options.service !== undefined
        ? [shardOf(options.service, THROUGHPUT_SHARDS)]
        : Array.from({ length: THROUGHPUT_SHARDS }, (_, shard) => shard);
    // A few dozen shards per round trip: each reply is decoded before the next is asked for,
    // so neither this process nor Redis holds a whole fleet's counts at once.
    for (let first = 0; first < shards.length; first += SHARDS_PER_READ) {
      const group = shards.slice(first, first + SHARDS_PER_READ);
      const batch = new RedisBatch(this.client);
      for (const shard of group) batch.add(String(shard), (pipeline) => pipeline.mget(keys(shard)));
      const results = await batch.exec();
      for (const shard of group) {
        const values = (results.get(String(shard))?.[0] ?? []) as Array<string | null>;
        for (const text of values) {
          if (text) decode(text, scanner);
          if (options.slicer?.due()) await options.slicer.yield();
        }
      }
    }
  }

  /** A value per shard (64 shards a round trip), then the interval listed: a listed one is whole. */
  async keepInterval(from: number, to: number, counts: IntervalCounts | PackedCounts, slicer = UNSLICED): Promise<void> {
    // An interval without counts is not listed: a history ends there, as at one nobody kept.
    if (counts.size === 0) return;
    const byShard = servicesByShard(servicesOf(counts), THROUGHPUT_SHARDS);
    const shards = [...byShard.keys()];
    // Encoded a group of shards at a time: a large fleet's interval is never held whole as text.
    for (let first = 0; first < shards.length; first += SHARDS_PER_WRITE) {
      const batch = new RedisBatch(this.client);
      const writer = new JsonLineWriter();
      for (const shard of shards.slice(first, first + SHARDS_PER_WRITE)) {
        const lines: Buffer[] = [];
        for (const service of byShard.get(shard) ?? []) {
          const line = intervalLine(counts, service, from, to, writer);
          if (line) lines.push(line);
        }
        const value = Buffer.concat(lines);
        batch.add(String(shard), (pipeline) => pipeline.set(this.keys.keptCounts(shard, from, to), value, 'PX', this.keptMs));
        if (slicer.due()) await slicer.yield();
      }
      await batch.exec();
    }
    const key = this.keys.kept;
    await new RedisBatch(this.client)
      .add('control', (pipeline) =>
        pipeline.zadd(key, to, `${from}-${to}`).zremrangebyscore(key, '-inf', `(${to - this.keptMs}`).pexpire(key, this.keptMs),
      )
      .exec();
  }

  async keptIntervals(): Promise<Array<[number, number]>> {
    const results = await new RedisBatch(this.client).add('control', (pipeline) => pipeline.zrange(this.keys.kept, '0', '-1')).exec();
    const members = ((results.get('control') ?? [])[0] ?? []) as string[];
    return members.flatMap((member) => {
      const [from, to] = member.split('-').map(Number);
      return Number.isSafeInteger(from) && Number.isSafeInteger(to) && from < to ? [[from, to] as [number, number]] : [];
    });
  }

  /** One MGET per shard over the intervals' values, 32 shards per round trip, as `readIntervals`. */
  async readKept(bounds: number[], options: ReadOptions = {}): Promise<IntervalCounts[]> {
    const keys = (shard: number) => bounds.slice(1).map((to, i) => this.keys.keptCounts(shard, bounds[i], to));
    return this.readIntoIntervals(bounds, keys, options);
  }

  async readKeptInterval(from: number, to: number, options: PackedReadOptions = {}): Promise<PackedCounts> {
    return this.readPacked(from, to, (shard) => [this.keys.keptCounts(shard, from, to)], options);
  }

  async readInterval(from: number, to: number, options: PackedReadOptions = {}): Promise<PackedCounts> {
    const slots = slotsBetween([from, to], this.slotMs, this.maxWindowMs);
    return this.readPacked(from, to, (shard) => slots.map((slot) => this.keys.slotCounts(shard, slot)), options);
  }

  /** The values under `keys(shard)` of every shard, as the packed counts of [from, to). */
  private async readPacked(from: number, to: number, keys: (shard: number) => string[], options: PackedReadOptions): Promise<PackedCounts> {
    const counts = new PackedCounts();
    const { service, recentFrom, lists } = options;
    await this.readShards(keys, options, (text, scanner) => decodePacked(text, from, to, counts, { service, scanner, recentFrom, lists }));
    return counts;
  }

  async read(fromMs: number, toMs: number, options?: ReadOptions): Promise<CountedOperation[]> {
    const [counts] = await this.readIntervals([fromMs, toMs], options);
    return toCounted(counts);
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

  async leave(replica: string): Promise<void> {
    await this.client.zrem(this.keys.flushed, replica);
  }
}
