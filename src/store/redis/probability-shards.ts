import { createHash } from 'node:crypto';
import type { CalculationInputs } from '../../sampling/calculator';
import { dictionary } from '../../sampling/dictionary';
import type { NewProbabilities, OperationTraffic } from '../store';
import { MAX_VALUE_BYTES, PROBABILITY_SHARDS, STORE_FORMAT, shardOf } from './redis-keys';

/** One service's part of a snapshot, as stored. */
export interface StoredService {
  probabilities: Record<string, number>;
  qps?: Record<string, number>;
  traffic?: Record<string, OperationTraffic>;
  inputs?: CalculationInputs[string];
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
  /** shard → its entry; shards without services are absent. */
  shards: Record<string, ShardEntry>;
}

/** The snapshot's services grouped by shard, each shard serialised once. */
export function encodeShards(snapshot: NewProbabilities): Map<number, { json: string; hash: string }> {
  const grouped = new Map<number, Record<string, StoredService>>();
  for (const [service, probabilities] of Object.entries(snapshot.probabilities)) {
    const shard = shardOf(service, PROBABILITY_SHARDS);
    const services = grouped.get(shard) ?? dictionary<StoredService>();
    services[service] = {
      probabilities,
      ...(snapshot.qps?.[service] && { qps: snapshot.qps[service] }),
      ...(snapshot.traffic?.[service] && { traffic: snapshot.traffic[service] }),
      ...(snapshot.inputs?.[service] && { inputs: snapshot.inputs[service] }),
    };
    grouped.set(shard, services);
  }
  const encoded = new Map<number, { json: string; hash: string }>();
  for (const [shard, services] of grouped) {
    const json = JSON.stringify(services);
    encoded.set(shard, { json, hash: createHash('sha1').update(json).digest('base64url') });
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
  if (parsed?.format !== STORE_FORMAT) throw new StoreFormatError(parsed?.format);
  if (typeof parsed.computedAt !== 'number' || typeof parsed.shards !== 'object' || parsed.shards === null) {
    throw new StoreFormatError(`${STORE_FORMAT} without computedAt or shards`);
  }
  return parsed as Manifest;
}
