import { StoreUnavailableError } from '../store';
import type { Manifest, ShardEntry } from './probability-shards';

export type Part = 'shards' | 'summaries' | 'explanations' | 'state';
/** The parts every replica loads with each version, cached by content hash. */
export type LoadedPart = Exclude<Part, 'explanations' | 'state'>;
/** The whole text of each shard asked for. */
export type FetchChunks = (part: Part, wanted: Array<[string, ShardEntry]>) => Promise<Map<string, string>>;

/**
 * Where shards are kept (a serving replica): per loaded part, shard → its content as last read,
 * by hash: parsed at the first load that takes it, then handed to every load (frozen) while
 * its hash holds, so a version whose probabilities held is neither fetched nor parsed again,
 * and a replica's old and new snapshots share what did not change.
 */
export class LoadedShards {
  private readonly caches: Record<LoadedPart, Map<string, LoadedShard>> = { shards: new Map(), summaries: new Map() };

  /**
   * @param keepParsed whether shards are kept, parsed (a serving replica, which loads every
   *   version), or not at all (the calculation thread, which loads one per term: kept, a million
   *   operations' text was ~45 MiB held for the term for nothing)
   */
  constructor(
    private readonly fetchChunks: FetchChunks,
    private readonly keepParsed: boolean,
  ) {}

  /**
   * Every shard of a loaded part of the manifest as text, fetching only content not held yet
   * (all of it where shards are not kept), for this caller alone: a load running beside it (the
   * engine's term start and a replica's sync share the store) may change the cache while this
   * one decodes, and must not take shards out from under it.
   */
  async fetch(manifest: Manifest, part: LoadedPart): Promise<Map<string, LoadedShard>> {
    const own = new Map<string, LoadedShard>();
    const entries = manifest[part];
    if (!this.keepParsed) {
      const texts = await this.fetchChunks(part, Object.entries(entries));
      for (const [shard, entry] of Object.entries(entries)) own.set(shard, { hash: entry.hash, json: texts.get(shard) ?? '' });
      return own;
    }
    const cache = this.caches[part];
    for (let attempt = 0; ; attempt++) {
      const wanted = Object.entries(entries).filter(([shard, entry]) => !own.has(shard) && cache.get(shard)?.hash !== entry.hash);
      const texts = await this.fetchChunks(part, wanted);
      // The content it replaces goes along until parsed: what it holds unchanged is taken from it.
      for (const [shard, entry] of wanted) cache.set(shard, { hash: entry.hash, json: texts.get(shard) ?? '', previous: cache.get(shard)?.parsed });
      // Taken in one go after the last read: a cached shard another load replaced meanwhile is read again.
      let missing = false;
      for (const [shard, entry] of Object.entries(entries)) {
        const cached = cache.get(shard);
        if (cached?.hash === entry.hash) own.set(shard, cached);
        else if (!own.has(shard)) missing = true;
      }
      if (!missing) break;
      if (attempt >= 2) throw new StoreUnavailableError('redis: the snapshot kept changing while it was read; reading again later');
    }
    for (const shard of [...cache.keys()]) if (!entries[shard]) cache.delete(shard);
    return own;
  }

  /**
   * A loaded shard's content, parsed (and shaped by `decode`) by the first load that needs it
   * and, where kept, frozen: every load after it gets the same objects. Unreadable text is
   * dropped from the cache, so the next load fetches it again.
   */
  parsed(
    part: LoadedPart,
    shard: string,
    loaded: LoadedShard | undefined,
    decode: (content: unknown, previous?: object) => object = (content) => content as object,
  ): object {
    if (!loaded) return {};
    if (loaded.parsed) return loaded.parsed;
    let content: object;
    try {
      content = decode(JSON.parse(loaded.json ?? '{}'), loaded.previous);
    } catch (error) {
      if (this.caches[part].get(shard) === loaded) this.caches[part].delete(shard);
      throw new StoreUnavailableError(`redis: shard ${shard} of the snapshot is unreadable (${(error as Error).message}); reading it again later`);
    }
    // Where shards are not kept, this one is the caller's own: not frozen, and its text goes now.
    loaded.parsed = this.keepParsed ? deepFreeze(content) : content;
    loaded.json = undefined;
    loaded.previous = undefined;
    return loaded.parsed;
  }
}

/** A loaded part's shard: its text until a load parses it, then its content (frozen where kept). */
export interface LoadedShard {
  hash: string;
  json?: string;
  parsed?: object;
  /** The shard's content this one replaces (frozen), until it is parsed. */
  previous?: object;
}

/** Frozen, a shard's objects can be shared by every snapshot that holds them. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
