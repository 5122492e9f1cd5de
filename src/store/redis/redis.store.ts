import { type Fence, FencedOutError } from '../leader-lease';
import {
  type NewProbabilities,
  type ProbabilitiesSnapshot,
  type SamplingStore,
  StoreUnavailableError,
} from '../store';
import {
  type Manifest,
  type ShardEntry,
  type StoredService,
  chunk,
  encodeShards,
  parseManifest,
} from './probability-shards';
import { dictionary } from '../../sampling/dictionary';
import { RedisBatch } from './redis-batch';
import type { RedisConnection } from './redis-client';
import { RedisKeys, STORE_FORMAT, hashTagOf } from './redis-keys';

// INCR and SET in one script so no reader ever sees a version without its manifest; with a
// fence (ARGV[2] = "holder|token"), only while that holder still has the lease (KEYS[3]).
const COMMIT = `
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return -1
end
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
return version`;

/** How long a replaced shard generation stays readable for readers of the previous version. */
const SUPERSEDED_TTL_MS = 120_000;

/**
 * Computed probabilities as a manifest (control keys) over shards of services, each shard
 * stored in chunks under a generation of its own. A calculation writes only the shards whose
 * content changed, then commits the manifest with the fenced script; a reader fetches only the
 * shards whose content it does not hold yet.
 */
export class RedisStore implements SamplingStore {
  readonly kind = 'redis';
  private readonly keys: RedisKeys;
  /**
   * shard → its content as last read, by hash. Kept as text and parsed at each load, so what a
   * caller does with a loaded snapshot cannot reach the cache.
   */
  private readonly shardCache = new Map<string, { hash: string; json: string }>();
  private generations = 0;

  constructor(
    private readonly client: RedisConnection,
    keyPrefix: string,
  ) {
    this.keys = new RedisKeys(keyPrefix);
  }

  async loadProbabilities(): Promise<ProbabilitiesSnapshot | null> {
    const [version, rawManifest] = await this.call(() => this.client.mget(this.keys.version, this.keys.manifest));
    if (rawManifest === null) return version === null ? this.loadLegacy() : null;
    const manifest = parseManifest(rawManifest);
    const services = await this.readShards(manifest);
    const snapshot: ProbabilitiesSnapshot = {
      version: Number(version ?? 0),
      computedAt: manifest.computedAt,
      probabilities: dictionary(),
      ...(manifest.dataThrough !== undefined && { dataThrough: manifest.dataThrough }),
    };
    for (const shard of services) {
      for (const [service, stored] of Object.entries(shard)) {
        snapshot.probabilities[service] = stored.probabilities;
        // Service names such as "__proto__" are data here: every map has no prototype.
        if (stored.qps) (snapshot.qps ??= dictionary())[service] = stored.qps;
        if (stored.traffic) (snapshot.traffic ??= dictionary())[service] = stored.traffic;
        if (stored.inputs) (snapshot.inputs ??= dictionary())[service] = stored.inputs;
      }
    }
    return snapshot;
  }

  async probabilitiesVersion(): Promise<number> {
    const version = await this.call(() => this.client.get(this.keys.version));
    return version === null ? 0 : Number(version);
  }

  async saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    // Read at every save: another leader may have written since this one last did.
    const previous = await this.currentManifest();
    const encoded = encodeShards(snapshot);
    const shards: Record<string, ShardEntry> = {};
    const written = new RedisBatch(this.client);
    const writtenKeys: string[] = [];
    const generation = `${fence?.token ?? 0}.${Date.now().toString(36)}.${(this.generations++).toString(36)}`;
    for (const [shard, { json, hash }] of encoded) {
      const before = previous?.shards[shard];
      if (before && before.hash === hash) {
        shards[shard] = before;
        continue;
      }
      const chunks = chunk(json);
      shards[shard] = { generation, chunks: chunks.length, hash };
      const keys = chunks.map((_, i) => this.keys.probabilityChunk(shard, generation, i));
      writtenKeys.push(...keys);
      written.add(`pd${shard}`, (pipeline) => keys.forEach((key, i) => pipeline.set(key, chunks[i])));
    }
    await written.exec();
    const manifest: Manifest = {
      format: STORE_FORMAT,
      computedAt: snapshot.computedAt,
      ...(snapshot.dataThrough !== undefined && { dataThrough: snapshot.dataThrough }),
      shards,
    };
    const owner = fence ? `${fence.holder}|${fence.token}` : '';
    const version = Number(
      await this.call(
        () =>
          this.client.eval(COMMIT, 3, this.keys.version, this.keys.manifest, this.keys.leader, JSON.stringify(manifest), owner) as Promise<number>,
      ),
    );
    if (version < 0) {
      await this.expire(writtenKeys, 0);
      if (fence) throw new FencedOutError(fence.holder);
    }
    // Readers of the previous version may still be fetching its shards: they go a little later.
    const superseded = Object.entries(previous?.shards ?? {})
      .filter(([shard, entry]) => shards[shard]?.generation !== entry.generation)
      .flatMap(([shard, entry]) => this.chunkKeys(Number(shard), entry));
    await this.expire(superseded, SUPERSEDED_TTL_MS).catch(() => undefined);
    return version;
  }

  async ping(): Promise<void> {
    await this.call(() => this.client.ping());
  }

  onReconnect(listener: () => void): void {
    this.client.on('ready', listener);
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private async currentManifest(): Promise<Manifest | undefined> {
    const raw = await this.call(() => this.client.get(this.keys.manifest));
    try {
      return raw === null ? undefined : parseManifest(raw);
    } catch {
      // Whatever is there is rewritten whole.
      return undefined;
    }
  }

  /** Each shard's services, reading only shards whose content this replica does not hold. */
  private async readShards(manifest: Manifest): Promise<Array<Record<string, StoredService>>> {
    const batch = new RedisBatch(this.client);
    const wanted: Array<[string, ShardEntry]> = [];
    for (const [shard, entry] of Object.entries(manifest.shards)) {
      if (this.shardCache.get(shard)?.hash === entry.hash) continue;
      wanted.push([shard, entry]);
      const keys = this.chunkKeys(Number(shard), entry);
      batch.add(`pd${shard}`, (pipeline) => keys.forEach((key) => pipeline.get(key)));
    }
    const results = await batch.exec();
    for (const [shard, entry] of wanted) {
      const parts = results.get(`pd${shard}`) ?? [];
      if (parts.some((part) => typeof part !== 'string')) {
        throw new StoreUnavailableError(`redis: shard ${shard} of the snapshot changed while it was read; reading again later`);
      }
      this.shardCache.set(shard, { hash: entry.hash, json: parts.join('') });
    }
    for (const shard of [...this.shardCache.keys()]) if (!manifest.shards[shard]) this.shardCache.delete(shard);
    return Object.keys(manifest.shards).map(
      (shard) => JSON.parse(this.shardCache.get(shard)?.json ?? '{}') as Record<string, StoredService>,
    );
  }

  private chunkKeys(shard: number, entry: ShardEntry): string[] {
    return Array.from({ length: entry.chunks }, (_, i) => this.keys.probabilityChunk(shard, entry.generation, i));
  }

  /** Expires (or with 0 deletes) keys, grouped by their shard's hash tag. */
  private async expire(keys: string[], ttlMs: number): Promise<void> {
    const batch = new RedisBatch(this.client);
    for (const key of keys) {
      batch.add(hashTagOf(key), (pipeline) => (ttlMs > 0 ? pipeline.pexpire(key, ttlMs) : pipeline.del(key)));
    }
    await batch.exec();
  }

  /** A snapshot written before the format was versioned (one JSON document), read at upgrade. */
  private async loadLegacy(): Promise<ProbabilitiesSnapshot | null> {
    const legacy = this.keys.legacy;
    const version = await this.call(() => this.client.get(legacy.version));
    const data = version === null ? null : await this.call(() => this.client.get(legacy.data));
    if (version === null || data === null) return null;
    let parsed: NewProbabilities;
    try {
      parsed = JSON.parse(data) as NewProbabilities;
    } catch {
      return null;
    }
    // Version 0: replicas copy it only once the new layout has a version of its own.
    return { ...parsed, version: 0 };
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`redis: ${(error as Error).message}`, { cause: error });
    }
  }
}
