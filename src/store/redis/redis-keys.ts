/**
 * Samplane's key layout in Redis (format 5). Keys that one script or transaction touches
 * together share a hash tag, so the layout works unchanged on Redis Cluster; throughput and
 * computed probabilities are spread over shards hashed from the service name, so no value grows
 * with the whole fleet and a cluster spreads them over its masters.
 */
export const STORE_FORMAT = 5;

/** Shards of the per-second throughput slots: a slot's counters are split by service. */
export const THROUGHPUT_SHARDS = 256;
/** Shards of the computed probabilities: a calculation rewrites only the shards that changed. */
export const PROBABILITY_SHARDS = 256;
/** Hash tags the per-service history lists are spread over. */
export const HISTORY_SHARDS = 64;
/**
 * The largest string written as one value; a larger shard is written in chunks. A little under
 * 512 KiB: with Redis's header a value of exactly 512 KiB takes the allocator's next size, 640 KiB.
 */
export const MAX_VALUE_BYTES = 512 * 1024 - 64;

export class RedisKeys {
  /** The hash tag of the keys the lease, the fenced save and the watermarks use together. */
  private readonly control: string;

  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new RangeError('a Redis key prefix must not contain { or } (they are hash tags)');
    this.control = `${prefix}{control}:`;
  }

  get leader(): string {
    return `${this.control}leader`;
  }

  get leaderToken(): string {
    return `${this.control}leader:token`;
  }

  get version(): string {
    return `${this.control}probabilities:version`;
  }

  /** Which generation of each probabilities shard makes up the current version, and the format. */
  get manifest(): string {
    return `${this.control}probabilities:manifest`;
  }

  /** Replica → flushed-through time (a sorted set). */
  get flushed(): string {
    return `${this.control}flushed`;
  }

  /** A shard's flushed records for the slot starting at `slot` (epoch ms), appended as text. */
  slotCounts(shard: number, slot: number): string {
    return `${this.prefix}{tp${shard}}:c:${slot}`;
  }

  /** A shard's summed counts of one calculated interval [from, to), kept for history reads. */
  keptCounts(shard: number, from: number, to: number): string {
    return `${this.prefix}{tp${shard}}:k:${from}-${to}`;
  }

  /** The kept intervals, `from-to` by `to` (a sorted set). */
  get kept(): string {
    return `${this.control}kept`;
  }

  /** Where the calculator state saved after the manifest's snapshot is (see `RedisSavedState`). */
  get stateManifest(): string {
    return `${this.control}probabilities:state`;
  }

  /** One chunk of one generation of a probabilities shard. */
  probabilityChunk(shard: number, generation: string, chunk: number): string {
    return `${this.prefix}{pd${shard}}:${generation}:${chunk}`;
  }

  /** One chunk of one generation of a shard's service totals (same hash tag as its probabilities). */
  summaryChunk(shard: number, generation: string, chunk: number): string {
    return `${this.prefix}{pd${shard}}:s:${generation}:${chunk}`;
  }

  /** One chunk of one generation of a shard's saved calculator state (same hash tag as its probabilities). */
  stateChunk(shard: number, generation: string, chunk: number): string {
    return `${this.prefix}{pd${shard}}:st:${generation}:${chunk}`;
  }

  /** One chunk of one generation of an explanations shard (same hash tag as its probabilities). */
  explanationChunk(shard: number, generation: string, chunk: number): string {
    return `${this.prefix}{pd${shard}}:x:${generation}:${chunk}`;
  }

  /**
   * The recent calculations of one service, for the dashboard's charts (a list of points as
   * columns, see `encodePoint`). A key of its own, not `history:`'s: a replica of a version
   * before it reads its own points there, never points it would mis-read.
   */
  historyPoints(service: string): string {
    // JSON-quoted, so any character a service name holds stays inside its own key.
    return `${this.prefix}{h${shardOf(service, HISTORY_SHARDS)}}:points:${JSON.stringify(service)}`;
  }

  /** The points versions before `historyPoints` wrote, as objects: read until they expire. */
  history(service: string): string {
    return `${this.prefix}{h${shardOf(service, HISTORY_SHARDS)}}:history:${JSON.stringify(service)}`;
  }

  /** The last calculation's summary (who, when, how long). */
  get historyCalculation(): string {
    return `${this.control}history:calculation`;
  }

  /** Keys of the layout before format 2, read once to carry served rates over an upgrade. */
  get legacy(): { version: string; data: string } {
    return { version: `${this.prefix}probabilities:version`, data: `${this.prefix}probabilities:data` };
  }
}

/** A key's hash tag (what Redis Cluster hashes): the first `{…}`, or the whole key without one. */
export function hashTagOf(key: string): string {
  return /\{([^}]*)\}/.exec(key)?.[1] ?? key;
}

/** FNV-1a over the UTF-16 code units: stable across processes and versions. */
export function shardOf(service: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    hash ^= service.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** Services grouped by their shard (see `shardOf`), each group in the order given. */
export function servicesByShard(services: Iterable<string>, shards: number): Map<number, string[]> {
  const byShard = new Map<number, string[]>();
  for (const service of services) {
    const shard = shardOf(service, shards);
    const group = byShard.get(shard);
    if (group) group.push(service);
    else byShard.set(shard, [service]);
  }
  return byShard;
}
