import { type Fence, FencedOutError } from '../leader-lease';
import { type TimeSlicer, UNSLICED } from '../../common/time-slicer';
import { type RecordedExplanation, type StoredExplanation, decodeExplanation, decodeInputColumns } from '../explanation-codec';
import type { InputColumns } from '../../sampling/input-columns';
import type { SavedRows } from '../../sampling/calculator';
import {
  type NewProbabilities,
  type ProbabilitiesSnapshot,
  type SamplingStore,
  type FoundState,
  type StateToSave,
  type StateWanted,
  StoreUnavailableError,
  type TrafficSummary,
} from '../store';
import {
  type EncodedShard,
  type Manifest,
  type ServedService,
  type ShardEntry,
  chunk,
  encodeShards,
  parseManifest,
  servedServices,
} from './probability-shards';
import { dictionary } from '../../sampling/dictionary';
import { LoadedShards, type Part } from './loaded-shards';
import { RedisBatch, expireKeys, redisCall } from './redis-batch';
import { RedisSavedState } from './redis-saved-state';
import { CLOSE_WITHIN_MS, type RedisConnection, closeWithin } from './redis-client';
import { PROBABILITY_SHARDS, RedisKeys, STORE_FORMAT, shardOf } from './redis-keys';

// INCR and SET in one script so no reader ever sees a version without its manifest; with a
// fence (ARGV[2] = "holder|token"), only while that holder still has the lease (KEYS[3]).
const COMMIT = `
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[2] then
  return -1
end
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
return version`;

/** The parts a snapshot's manifest lists (the saved state has a manifest of its own). */
type SnapshotPart = Exclude<Part, 'state'>;

/** How long a replaced shard generation stays readable for readers of the previous version. */
const SUPERSEDED_TTL_MS = 120_000;
/** Explanations are read a service at a time, right after the manifest: a short grace is enough. */
const SUPERSEDED_EXPLANATIONS_TTL_MS = 20_000;

/** Shards read per round trip. */
const SHARDS_PER_ROUND_TRIP = 64;
/**
 * Explanation shards kept parsed for the views. Each is ~1/256 of a fleet's explanations (at a
 * million operations ~0.7 MiB of text, a few MiB parsed): a dashboard walking every service
 * would otherwise keep them all.
 */
const EXPLANATION_SHARDS_KEPT = 16;
/** Bytes of a snapshot written per round trip. */
const BYTES_PER_ROUND_TRIP = 2 ** 20;

/**
 * Computed probabilities as a manifest (control keys) over shards of services, each shard
 * stored in chunks under a generation of its own, in three parts: what is served (the
 * probabilities, and the little QPS serving needs), which every replica loads; the services'
 * totals, small, which every replica loads too; and the explanations, read a service at a time
 * when a view asks. A calculation writes only the shards whose content changed, then commits
 * the manifest with the fenced script; a reader fetches only the shards whose content it does
 * not hold yet. The totals and each operation's QPS change at every calculation: kept out of
 * the served part, a calculation whose probabilities held changes no served shard.
 */
export class RedisStore implements SamplingStore {
  readonly kind = 'redis';
  private readonly keys: RedisKeys;
  /** The served part and the totals as last read (see `LoadedShards`). */
  private readonly loaded: LoadedShards;
  /** Explanation shard → its content as last read, parsed (callers get decoded copies). */
  private readonly explanationCache = new Map<string, { hash: string; services: Record<string, StoredExplanation> }>();
  private readonly state: RedisSavedState;
  private generations = 0;

  /**
   * @param client the connection snapshots travel on (the engine's bulk connection)
   * @param control the connection readiness is judged by, with the ordinary command timeout
   * @param keepParsed whether loaded shards are kept parsed (see `LoadedShards`)
   */
  constructor(
    private readonly client: RedisConnection,
    keyPrefix: string,
    private readonly control: RedisConnection = client,
    keepParsed = true,
  ) {
    this.keys = new RedisKeys(keyPrefix);
    this.loaded = new LoadedShards((part, wanted) => this.fetchChunks(part, wanted), keepParsed);
    this.state = new RedisSavedState(client, this.keys, (wanted) => this.fetchChunks('state', wanted, 'bytes'));
  }

  async loadProbabilities(slicer: TimeSlicer = UNSLICED): Promise<ProbabilitiesSnapshot | null> {
    const [version, rawManifest] = await redisCall(() => this.client.mget(this.keys.version, this.keys.manifest));
    if (rawManifest === null) return version === null ? this.loadLegacy() : null;
    const manifest = parseManifest(rawManifest);
    const served = await this.loaded.fetch(manifest, 'shards');
    const totals = await this.loaded.fetch(manifest, 'summaries');
    const snapshot: ProbabilitiesSnapshot = {
      version: Number(version ?? 0),
      computedAt: manifest.computedAt,
      probabilities: dictionary(),
      ...(manifest.dataThrough !== undefined && { dataThrough: manifest.dataThrough }),
    };
    const fleets = dictionary<number>();
    for (const shard of Object.keys(manifest.shards)) {
      const services = this.loaded.parsed('shards', shard, served.get(shard), (content, previous) =>
        servedServices(manifest.format, content, previous as Record<string, ServedService> | undefined),
      );
      for (const [service, stored] of Object.entries(services)) {
        snapshot.probabilities[service] = stored.probabilities;
        // Service names such as "__proto__" are data here: every map has no prototype.
        if (stored.qps) (snapshot.qps ??= dictionary())[service] = stored.qps;
        if (typeof stored.fleetRequests === 'number') fleets[service] = stored.fleetRequests;
        if (stored.summary) (snapshot.summaries ??= dictionary())[service] = stored.summary;
      }
      if (slicer.due()) await slicer.yield();
    }
    if (Object.keys(fleets).length > 0) snapshot.fleetRequests = fleets;
    for (const shard of Object.keys(manifest.summaries)) {
      const summaries = this.loaded.parsed('summaries', shard, totals.get(shard)) as Record<string, TrafficSummary>;
      for (const [service, summary] of Object.entries(summaries)) (snapshot.summaries ??= dictionary())[service] = summary;
      if (slicer.due()) await slicer.yield();
    }
    return snapshot;
  }

  async loadExplanations(services?: readonly string[]): Promise<Map<string, RecordedExplanation>> {
    for (let attempt = 0; ; attempt++) {
      const raw = await redisCall(() => this.client.get(this.keys.manifest));
      const found = new Map<string, RecordedExplanation>();
      if (raw === null) return found;
      const manifest = parseManifest(raw);
      const wanted = services ? [...new Set(services.map((service) => String(shardOf(service, PROBABILITY_SHARDS))))] : Object.keys(manifest.explanations);
      let fetched: Map<string, Record<string, StoredExplanation>>;
      try {
        fetched = await this.fetchExplanations(manifest, wanted.filter((shard) => manifest.explanations[shard]));
      } catch (error) {
        // A generation superseded between the manifest and its chunks: read the new manifest.
        if (attempt < 2 && error instanceof StoreUnavailableError) continue;
        throw error;
      }
      for (const shard of wanted) {
        const stored = fetched.get(shard) ?? {};
        for (const service of services ?? Object.keys(stored)) {
          if (Object.hasOwn(stored, service)) found.set(service, decodeExplanation(stored[service]));
        }
      }
      return found;
    }
  }

  /**
   * A few shards at a time, decoded to columns and not cached: at 200,000 operations the
   * explanations as objects (and kept in the cache) were 160 MiB held by a new leader.
   */
  async loadInputs(): Promise<Record<string, InputColumns>> {
    for (let attempt = 0; ; attempt++) {
      const raw = await redisCall(() => this.client.get(this.keys.manifest));
      const inputs = dictionary<InputColumns>();
      if (raw === null) return inputs;
      const entries = Object.entries(parseManifest(raw).explanations);
      try {
        for (let first = 0; first < entries.length; first += SHARDS_PER_ROUND_TRIP) {
          const texts = await this.fetchChunks('explanations', entries.slice(first, first + SHARDS_PER_ROUND_TRIP));
          for (const text of texts.values()) {
            for (const [service, stored] of Object.entries(parsedShard(text))) {
              const columns = decodeInputColumns(stored);
              // A service with traffic and no inputs has nothing to restore, as in a store of objects.
              if (columns.ops.length > 0) inputs[service] = columns;
            }
          }
        }
        return inputs;
      } catch (error) {
        // A generation superseded between the manifest and its chunks: read the new manifest.
        if (attempt < 2 && error instanceof StoreUnavailableError) continue;
        throw error;
      }
    }
  }

  loadState(wanted: StateWanted, take: (service: string, rows: SavedRows) => void, slicer: TimeSlicer = UNSLICED): Promise<FoundState | undefined> {
    return this.state.load(wanted, take, slicer);
  }

  async probabilitiesVersion(): Promise<number> {
    const version = await redisCall(() => this.client.get(this.keys.version));
    return version === null ? 0 : Number(version);
  }

  async saveProbabilities(snapshot: NewProbabilities, fence?: Fence, slicer: TimeSlicer = UNSLICED): Promise<number> {
    // Read at every save: another leader may have written since this one last did.
    const previous = await this.currentManifest();
    const writtenKeys: string[] = [];
    const generation = `${fence?.token ?? 0}.${Date.now().toString(36)}.${(this.generations++).toString(36)}`;
    const manifest: Manifest = {
      format: STORE_FORMAT,
      computedAt: snapshot.computedAt,
      ...(snapshot.dataThrough !== undefined && { dataThrough: snapshot.dataThrough }),
      shards: {},
      summaries: {},
      explanations: {},
    };
    // About a MiB per round trip: a pipeline is written to the socket in one go, and a larger
    // one held the event loop for tens of milliseconds at a large fleet's size.
    let batch = new RedisBatch(this.client);
    let bytes = 0;
    const place = (part: SnapshotPart, shard: number, { bytes: encoded, hash = generation }: EncodedShard): void => {
      // Without a content hash the generation stands for one: written anew, read anew.
      const before = previous?.[part]?.[shard];
      const entries = (manifest[part] ??= {});
      if (before && before.hash === hash) {
        entries[shard] = before;
        return;
      }
      const chunks = chunk(encoded);
      const entry: ShardEntry = { generation, chunks: chunks.length, hash };
      entries[shard] = entry;
      const keys = this.chunkKeys(part, shard, entry);
      writtenKeys.push(...keys);
      batch.add(`pd${shard}`, (pipeline) => keys.forEach((key, k) => pipeline.set(key, chunks[k])));
      bytes += encoded.length;
    };
    const write = async (): Promise<void> => {
      await batch.exec();
      batch = new RedisBatch(this.client);
      bytes = 0;
      if (slicer.due()) await slicer.yield();
    };
    for await (const parts of encodeShards(snapshot, slicer)) {
      place('shards', parts.shard, parts.served);
      if (parts.summarized) place('summaries', parts.shard, parts.summarized);
      if (parts.explained) place('explanations', parts.shard, parts.explained);
      if (bytes >= BYTES_PER_ROUND_TRIP) await write();
    }
    if (bytes > 0) await write();
    const owner = fence ? `${fence.holder}|${fence.token}` : '';
    const version = Number(
      await redisCall(
        () =>
          this.client.eval(COMMIT, 3, this.keys.version, this.keys.manifest, this.keys.leader, JSON.stringify(manifest), owner) as Promise<number>,
      ),
    );
    if (version < 0) {
      await this.expire(writtenKeys, 0);
      if (fence) throw new FencedOutError(fence.holder);
    }
    // Readers of the previous version may still be fetching its shards: they go a little later.
    const parts = [
      ['shards', SUPERSEDED_TTL_MS],
      ['summaries', SUPERSEDED_TTL_MS],
      ['explanations', SUPERSEDED_EXPLANATIONS_TTL_MS],
    ] as const;
    for (const [part, ttl] of parts) {
      const superseded = Object.entries(previous?.[part] ?? {})
        .filter(([shard, entry]) => manifest[part]?.[shard]?.generation !== entry.generation)
        .flatMap(([shard, entry]) => this.chunkKeys(part, Number(shard), entry));
      await this.expire(superseded, ttl).catch(() => undefined);
    }
    return version;
  }

  saveState(save: StateToSave, fence?: Fence, slicer: TimeSlicer = UNSLICED): Promise<boolean> {
    return this.state.save(save, fence, slicer);
  }

  async ping(): Promise<void> {
    await redisCall(() => this.control.ping());
  }

  onReconnect(listener: () => void): void {
    this.client.on('ready', listener);
  }

  close(): Promise<void> {
    return closeWithin(this.client, CLOSE_WITHIN_MS);
  }

  private async currentManifest(): Promise<Manifest | undefined> {
    const raw = await redisCall(() => this.client.get(this.keys.manifest));
    try {
      return raw === null ? undefined : parseManifest(raw);
    } catch {
      // Whatever is there is rewritten whole.
      return undefined;
    }
  }

  /**
   * The explanation shards asked for, for this caller alone: what it takes from the cache is
   * taken before it waits, and what it fetched is its own before the cache is touched, so
   * another call's trimming never takes shards out from under it. A generation superseded
   * while it was read fails the fetch (`fetchChunks`), and the caller reads the new manifest.
   */
  private async fetchExplanations(manifest: Manifest, shards: string[]): Promise<Map<string, Record<string, StoredExplanation>>> {
    const own = new Map<string, Record<string, StoredExplanation>>();
    const wanted: Array<[string, ShardEntry]> = [];
    for (const shard of shards) {
      const entry = manifest.explanations[shard];
      const cached = this.explanationCache.get(shard);
      if (cached?.hash === entry.hash) own.set(shard, cached.services);
      else wanted.push([shard, entry]);
    }
    const texts = await this.fetchChunks('explanations', wanted);
    for (const [shard] of wanted) own.set(shard, parsedShard(texts.get(shard) ?? '{}'));
    // Kept in order of last use: the least recently asked for goes first.
    for (const [shard, services] of own) {
      this.explanationCache.delete(shard);
      this.explanationCache.set(shard, { hash: manifest.explanations[shard].hash, services });
    }
    // What another version wrote is read anew when asked for: it is only memory until then.
    for (const [shard, cached] of this.explanationCache) if (manifest.explanations[shard]?.hash !== cached.hash) this.explanationCache.delete(shard);
    for (const shard of this.explanationCache.keys()) {
      if (this.explanationCache.size <= EXPLANATION_SHARDS_KEPT) break;
      this.explanationCache.delete(shard);
    }
    return own;
  }

  /** The whole text (or bytes) of each shard asked for, some shards per round trip. */
  private async fetchChunks(part: Part, wanted: Array<[string, ShardEntry]>): Promise<Map<string, string>>;
  private async fetchChunks(part: Part, wanted: Array<[string, ShardEntry]>, as: 'bytes'): Promise<Map<string, Buffer>>;
  private async fetchChunks(part: Part, wanted: Array<[string, ShardEntry]>, as: 'text' | 'bytes' = 'text'): Promise<Map<string, string | Buffer>> {
    const contents = new Map<string, string | Buffer>();
    for (let first = 0; first < wanted.length; first += SHARDS_PER_ROUND_TRIP) {
      const group = wanted.slice(first, first + SHARDS_PER_ROUND_TRIP);
      const batch = new RedisBatch(this.client);
      for (const [shard, entry] of group) {
        const keys = this.chunkKeys(part, Number(shard), entry);
        batch.add(`pd${shard}`, (pipeline) => (as === 'bytes' ? pipeline.mgetBuffer(keys) : pipeline.mget(keys)));
      }
      const results = await batch.exec();
      for (const [shard] of group) {
        const parts = (results.get(`pd${shard}`)?.[0] ?? []) as Array<string | Buffer | null>;
        if (parts.some((value) => value === null || value === undefined)) {
          throw new StoreUnavailableError(`redis: shard ${shard} of the snapshot changed while it was read; reading again later`);
        }
        contents.set(shard, as === 'bytes' ? Buffer.concat(parts as Buffer[]) : (parts as string[]).join(''));
      }
    }
    return contents;
  }

  private chunkKeys(part: Part, shard: number, entry: ShardEntry): string[] {
    const keys = this.keys;
    const key = { shards: keys.probabilityChunk, summaries: keys.summaryChunk, explanations: keys.explanationChunk, state: keys.stateChunk }[part].bind(keys);
    return Array.from({ length: entry.chunks }, (_, i) => key(shard, entry.generation, i));
  }

  private expire(keys: string[], ttlMs: number): Promise<void> {
    return expireKeys(this.client, keys, ttlMs);
  }

  /** A snapshot written before the format was versioned (one JSON document), read at upgrade. */
  private async loadLegacy(): Promise<ProbabilitiesSnapshot | null> {
    const legacy = this.keys.legacy;
    const version = await redisCall(() => this.client.get(legacy.version));
    const data = version === null ? null : await redisCall(() => this.client.get(legacy.data));
    if (version === null || data === null) return null;
    let parsed: Omit<ProbabilitiesSnapshot, 'version'>;
    try {
      parsed = JSON.parse(data) as Omit<ProbabilitiesSnapshot, 'version'>;
    } catch {
      return null;
    }
    // Version 0: replicas copy it only once the new layout has a version of its own.
    return { ...parsed, version: 0 };
  }
}

/** An explanations shard's services; none where its text is unreadable. */
function parsedShard(text: string): Record<string, StoredExplanation> {
  try {
    return JSON.parse(text) as Record<string, StoredExplanation>;
  } catch {
    return {};
  }
}
