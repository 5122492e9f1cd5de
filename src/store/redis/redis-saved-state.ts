import { type TimeSlicer, UNSLICED } from '../../common/time-slicer';
import type { SavedRows } from '../../sampling/calculator';
import { type Fence, FencedOutError } from '../leader-lease';
import { decodeStateShard, encodeStateShard } from '../state-codec';
import type { FoundState, StateToSave, StateWanted } from '../store';
import { type ShardEntry, chunk } from './probability-shards';
import { RedisBatch, expireKeys, redisCall } from './redis-batch';
import type { RedisConnection } from './redis-client';
import { PROBABILITY_SHARDS, type RedisKeys, servicesByShard } from './redis-keys';

// Kept only while its snapshot is the newest (KEYS[1] holds ARGV[1]) and, with a fence
// (ARGV[3] = "holder|token"), while that holder has the lease (KEYS[3]). Returns what it replaced.
const COMMIT_STATE = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return {-1, ''}
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {0, ''}
end
local previous = redis.call('GET', KEYS[2]) or ''
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
return {1, previous}`;

/**
 * A replaced state is read only by a new leader that read its manifest just before (a million
 * operations' in ~2.5 s): its chunks go soon, as they are a quarter of a GiB at that size. All
 * of a state's keys also expire on their own, so a leader of an older version, which neither
 * writes nor expires them, leaves none behind for long.
 */
const SUPERSEDED_STATE_TTL_MS = 10_000;
/** How long a saved state is kept where its saver does not say (`SavedState.keepMs`). */
const STATE_TTL_MS = 3_600_000;
/** Bytes per pipeline, as for snapshots (a larger one holds the event loop while it is written). */
const BYTES_PER_ROUND_TRIP = 2 ** 20;
/** Pipelines in flight: the state is written while nothing waits on it, at the socket's pace, not a round trip's. */
const ROUND_TRIPS_IN_FLIGHT = 4;
/** Shards read per round trip: ~1 MiB each at a million operations, decoded as they come. */
const SHARDS_PER_ROUND_TRIP = 16;

/** Where a saved state's shards are, and which snapshot it goes with. */
interface StateManifest extends FoundState {
  version: number;
  /** See `SavedState`. */
  layout: string;
  /** shard → its services' rows; shards without saved rows are absent. */
  shards: Record<string, ShardEntry>;
}

export type FetchBytes = (wanted: Array<[string, ShardEntry]>) => Promise<Map<string, Buffer>>;

/**
 * The calculator's saved state on Redis, apart from the snapshot: binary shards under the
 * probability shards' hash tags (`{pdN}:st:GENERATION:CHUNK`), and a manifest of their own
 * beside the snapshot's, committed after it, so a calculation is served without waiting for
 * a quarter of a GiB to be written (a million operations' rows). Its leader may stop before
 * the commit: the state of a snapshot before stays for a new leader to bridge (see `StateWanted`).
 */
export class RedisSavedState {
  private generations = 0;

  constructor(
    private readonly client: RedisConnection,
    private readonly keys: RedisKeys,
    private readonly fetch: FetchBytes,
  ) {}

  async save({ version, computedAt, dataThrough, services, state }: StateToSave, fence?: Fence, slicer: TimeSlicer = UNSLICED): Promise<boolean> {
    const ttl = Math.max(SUPERSEDED_STATE_TTL_MS, Math.ceil(state.keepMs ?? STATE_TTL_MS));
    const started = Date.now();
    const generation = `${fence?.token ?? 0}.${started.toString(36)}.s${(this.generations++).toString(36)}`;
    const manifest: StateManifest = { version, computedAt, dataThrough, layout: state.layout, buckets: state.buckets, shards: {} };
    const written: string[] = [];
    // A commit that timed out may still have been applied: its chunks are left to expire.
    let committing = false;
    const writes = new PipelinesInFlight(ROUND_TRIPS_IN_FLIGHT);
    let batch = new RedisBatch(this.client);
    let bytes = 0;
    try {
      for (const [shard, names] of servicesByShard(services, PROBABILITY_SHARDS)) {
        const rows: Array<[string, SavedRows]> = [];
        for (const service of names) {
          const saved = state.of(service);
          if (saved) rows.push([service, saved]);
        }
        if (rows.length === 0) continue;
        const encoded = encodeStateShard(rows);
        const chunks = chunk(encoded, undefined, false);
        const entry: ShardEntry = { generation, chunks: chunks.length, hash: generation };
        manifest.shards[shard] = entry;
        const keys = this.chunkKeys(shard, entry);
        written.push(...keys);
        batch.add(`pd${shard}`, (pipeline) => keys.forEach((key, k) => pipeline.set(key, chunks[k], 'PX', ttl)));
        bytes += encoded.length;
        if (bytes >= BYTES_PER_ROUND_TRIP) {
          await writes.add(batch);
          batch = new RedisBatch(this.client);
          bytes = 0;
        }
        if (slicer.due()) await slicer.yield();
      }
      await writes.add(batch);
      await writes.drain();
      const owner = fence ? `${fence.holder}|${fence.token}` : '';
      // Expiring with the first chunk written, not later: a manifest never outlives its chunks.
      const manifestTtl = Math.max(1, ttl - (Date.now() - started));
      const args = [String(version), JSON.stringify(manifest), owner, manifestTtl];
      committing = true;
      const [outcome, previous] = await redisCall(
        () => this.client.eval(COMMIT_STATE, 3, this.keys.version, this.keys.stateManifest, this.keys.leader, ...args) as Promise<[number, string]>,
      );
      committing = false;
      if (outcome < 0) throw new FencedOutError(fence?.holder ?? '');
      if (outcome === 0) {
        await expireKeys(this.client, written, 0).catch(() => undefined);
        return false;
      }
      const replaced = parseStateManifest(previous);
      const superseded = replaced ? Object.entries(replaced.shards).flatMap(([shard, entry]) => this.chunkKeys(Number(shard), entry)) : [];
      await expireKeys(this.client, superseded, SUPERSEDED_STATE_TTL_MS).catch(() => undefined);
      return true;
    } catch (error) {
      await writes.drain().catch(() => undefined);
      if (!committing) await expireKeys(this.client, written, 0).catch(() => undefined);
      throw error;
    }
  }

  /** A few shards per round trip, each decoded and handed over before the next is read. */
  async load(wanted: StateWanted, take: (service: string, rows: SavedRows) => void, slicer: TimeSlicer = UNSLICED): Promise<FoundState | undefined> {
    const manifest = parseStateManifest(await redisCall(() => this.client.get(this.keys.stateManifest)));
    if (!manifest || manifest.layout !== wanted.layout) return undefined;
    const found = { computedAt: manifest.computedAt, dataThrough: manifest.dataThrough, buckets: manifest.buckets };
    if (!(await wanted.accepts(found))) return undefined;
    const entries = Object.entries(manifest.shards);
    for (let first = 0; first < entries.length; first += SHARDS_PER_ROUND_TRIP) {
      const shards = await this.fetch(entries.slice(first, first + SHARDS_PER_ROUND_TRIP));
      for (const bytes of shards.values()) {
        for (const [service, rows] of decodeStateShard(bytes)) take(service, rows);
        if (slicer.due()) await slicer.yield();
      }
    }
    return found;
  }

  private chunkKeys(shard: number, entry: ShardEntry): string[] {
    return Array.from({ length: entry.chunks }, (_, i) => this.keys.stateChunk(shard, entry.generation, i));
  }
}

/**
 * Pipelines sent without waiting for the one before, at most `limit` at once. Each failure is
 * caught as it happens (an unobserved rejection would end the process) and thrown by the next
 * `add` or `drain`.
 */
class PipelinesInFlight {
  private readonly sent: Array<Promise<void>> = [];
  private failure: unknown;

  constructor(private readonly limit: number) {}

  async add(batch: RedisBatch): Promise<void> {
    this.sent.push(
      batch.exec().then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= error;
        },
      ),
    );
    while (this.sent.length >= this.limit) await this.sent.shift();
    this.check();
  }

  async drain(): Promise<void> {
    while (this.sent.length > 0) await this.sent.shift();
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** A state manifest as stored; undefined where there is none or it is not one this replica reads. */
function parseStateManifest(raw: string | null | undefined): StateManifest | undefined {
  if (!raw) return undefined;
  let parsed: Partial<StateManifest>;
  try {
    parsed = JSON.parse(raw) as Partial<StateManifest>;
  } catch {
    return undefined;
  }
  const { version, computedAt, dataThrough, layout, buckets, shards } = parsed ?? {};
  const numbers = [version, computedAt, dataThrough, buckets];
  if (numbers.some((value) => typeof value !== 'number') || typeof layout !== 'string') return undefined;
  if (typeof shards !== 'object' || shards === null || Array.isArray(shards)) return undefined;
  const readable = Object.values(shards).every((entry) => typeof entry?.generation === 'string' && Number.isInteger(entry.chunks) && entry.chunks >= 0);
  return readable ? (parsed as StateManifest) : undefined;
}
