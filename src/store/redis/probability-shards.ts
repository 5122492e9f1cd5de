import { createHash } from 'node:crypto';
import { type TimeSlicer, UNSLICED } from '../../common/time-slicer';
import { dictionary } from '../../sampling/dictionary';
import { type StoredExplanation, encodeExplanation } from '../explanation-codec';
import type { NewProbabilities, TrafficSummary } from '../store';
import { MAX_VALUE_BYTES, PROBABILITY_SHARDS, STORE_FORMAT, shardOf } from './redis-keys';

/** One service's served part of a snapshot, as stored: what every replica loads. */
export interface ServedService {
  probabilities: Record<string, number>;
  qps?: Record<string, number>;
  summary?: TrafficSummary;
}

/** Where one shard's current content is. */
export interface ShardEntry {
  generation: string;
  chunks: number;
  /** Of the content: unchanged content keeps its generation, so it is neither written nor read again. */
  hash: string;
}

/** What a version is made of; written by the fenced save, read first by every reader. */
export interface Manifest {
  format: number;
  computedAt: number;
  dataThrough?: number;
  /** shard → its served entry; shards without services are absent. */
  shards: Record<string, ShardEntry>;
  /** shard → its explanation entry. */
  explanations: Record<string, ShardEntry>;
}

export interface EncodedShard {
  json: string;
  hash: string;
}

/**
 * The snapshot's services grouped by shard, each part of each shard serialised once, a shard
 * at a time between turns of the event loop.
 */
export async function encodeShards(
  snapshot: NewProbabilities,
  slicer: TimeSlicer = UNSLICED,
): Promise<{ served: Map<number, EncodedShard>; explained: Map<number, EncodedShard> }> {
  const served = new Map<number, Record<string, ServedService>>();
  const explained = new Map<number, Record<string, StoredExplanation>>();
  for (const [service, probabilities] of Object.entries(snapshot.probabilities)) {
    const shard = shardOf(service, PROBABILITY_SHARDS);
    const own = served.get(shard) ?? dictionary<ServedService>();
    own[service] = {
      probabilities,
      ...(snapshot.qps?.[service] && { qps: snapshot.qps[service] }),
      ...(snapshot.summaries?.[service] && { summary: snapshot.summaries[service] }),
    };
    served.set(shard, own);
    const traffic = snapshot.traffic?.[service];
    const inputs = snapshot.inputs?.[service];
    if (traffic || inputs) {
      const why = explained.get(shard) ?? dictionary<StoredExplanation>();
      why[service] = encodeExplanation(traffic, inputs);
      explained.set(shard, why);
    }
    if (slicer.due()) await slicer.yield();
  }
  return { served: await serialise(served, slicer), explained: await serialise(explained, slicer) };
}

async function serialise(shards: Map<number, object>, slicer: TimeSlicer): Promise<Map<number, EncodedShard>> {
  const encoded = new Map<number, EncodedShard>();
  for (const [shard, services] of shards) {
    const json = JSON.stringify(services);
    encoded.set(shard, { json, hash: createHash('sha1').update(json).digest('base64url') });
    if (slicer.due()) await slicer.yield();
  }
  return encoded;
}

/**
 * Splits a string into values of at most MAX_VALUE_BYTES in UTF-8 (3 bytes per UTF-16 unit at
 * most), never between the two halves of a surrogate pair.
 */
export function chunk(json: string): string[] {
  const size = Math.floor(MAX_VALUE_BYTES / 3);
  const chunks: string[] = [];
  for (let start = 0; start < json.length; ) {
    let end = Math.min(json.length, start + size);
    const last = json.charCodeAt(end - 1);
    if (end < json.length && last >= 0xd800 && last <= 0xdbff) end--;
    chunks.push(json.slice(start, end));
    start = end;
  }
  return chunks.length > 0 ? chunks : [''];
}

/** The stored format is newer (or other) than this replica reads: it keeps what it serves. */
export class StoreFormatError extends Error {
  constructor(found: unknown) {
    super(`stored probabilities have format ${JSON.stringify(found)}; this replica reads format ${STORE_FORMAT} and keeps serving its last snapshot`);
    this.name = 'StoreFormatError';
  }
}

export function parseManifest(raw: string): Manifest {
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(raw) as Partial<Manifest>;
  } catch (error) {
    throw new StoreFormatError(`unreadable (${(error as Error).message})`);
  }
  // Format 2 kept explanations inside the served shards; its probabilities read the same.
  if (parsed?.format === 2) parsed = { ...parsed, explanations: {} };
  if (parsed?.format !== STORE_FORMAT && parsed?.format !== 2) throw new StoreFormatError(parsed?.format);
  const parts = [parsed.shards, parsed.explanations];
  if (typeof parsed.computedAt !== 'number' || parts.some((part) => typeof part !== 'object' || part === null)) {
    throw new StoreFormatError(`${STORE_FORMAT} without computedAt, shards or explanations`);
  }
  return parsed as Manifest;
}
