import { createHash } from 'node:crypto';
import { type TimeSlicer, UNSLICED } from '../../common/time-slicer';
import { dictionary, own } from '../../sampling/dictionary';
import { qpsRecord } from '../../sampling/input-columns';
import { type StoredExplanation, encodeExplanation } from '../explanation-codec';
import type { NewProbabilities, TrafficSummary } from '../store';
import { MAX_VALUE_BYTES, PROBABILITY_SHARDS, STORE_FORMAT, servicesByShard } from './redis-keys';

/** One service's served part of a snapshot, as a reader holds it: what every replica loads. */
export interface ServedService {
  probabilities: Record<string, number>;
  /** The QPS replicas serve from (see `servedQps`), where the service has any. */
  qps?: Record<string, number>;
  /** Requests per second of the service's X-Ray service rule's fleet, where it has one. */
  fleetRequests?: number;
  /** Format 3 only: format 4 keeps the totals apart, as they change at every calculation. */
  summary?: TrafficSummary;
}

/**
 * One service's served part as format 5 stores it: columns, operation `i`'s probability at
 * `probabilities[i]`. Before it, each service's operations were the keys of a JSON object, and
 * V8 builds a hidden class for every distinct key it parses: a million operations named apart
 * took ~3 s and ~100 MiB to parse on every replica, as arrays ~0.3 s.
 */
export interface StoredService {
  operations: string[];
  probabilities: number[];
  /** Beside `operations`, for a service over the cap (null where an operation has none). */
  qps?: Array<number | null>;
  fleetRequests?: number;
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
  /** shard → its services' totals (absent before format 4, where the served part held them). */
  summaries: Record<string, ShardEntry>;
  /** shard → its explanation entry. */
  explanations: Record<string, ShardEntry>;
}

export interface EncodedShard {
  /** The shard's JSON in UTF-8: encoded once, then hashed and cut into values without copies. */
  bytes: Buffer;
  /** Of the content; absent where it is not worth computing (see `encodeShards`). */
  hash?: string;
}

/** One shard of a snapshot with its parts serialised: what is served, the totals, the explanations. */
export interface EncodedShardParts {
  shard: number;
  served: EncodedShard;
  summarized?: EncodedShard;
  explained?: EncodedShard;
}

/**
 * The snapshot's services grouped by shard, a shard serialised at each step, when the caller
 * asks for it: a writer holds only the shards it has not written yet, never a large fleet's
 * whole snapshot as text (at 200,000 operations that was about 80 MiB held at once).
 */
export async function* encodeShards(snapshot: NewProbabilities, slicer: TimeSlicer = UNSLICED): AsyncGenerator<EncodedShardParts> {
  for (const [shard, services] of servicesByShard(Object.keys(snapshot.probabilities), PROBABILITY_SHARDS)) {
    const served = dictionary<StoredService>();
    let summarized: Record<string, TrafficSummary> | undefined;
    let explained: Record<string, StoredExplanation> | undefined;
    for (const service of services) {
      const qps = own(snapshot.qps, service);
      const fleet = own(snapshot.fleetRequests, service);
      served[service] = storedService(snapshot.probabilities[service], qps && qpsRecord(qps), fleet);
      const summary = own(snapshot.summaries, service);
      if (summary) (summarized ??= dictionary<TrafficSummary>())[service] = summary;
      const traffic = own(snapshot.traffic, service);
      const inputs = own(snapshot.inputs, service);
      if (traffic || inputs) (explained ??= dictionary<StoredExplanation>())[service] = encodeExplanation(traffic, inputs);
    }
    // Explanations hold every operation's traffic, which changes at every calculation: hashing
    // them (180 MiB of text at 1M operations) would only ever find them changed.
    yield {
      shard,
      served: serialised(served),
      ...(summarized && { summarized: serialised(summarized) }),
      ...(explained && { explained: { bytes: Buffer.from(JSON.stringify(explained)) } }),
    };
    if (slicer.due()) await slicer.yield();
  }
}

function storedService(probabilities: Record<string, number>, qps: Record<string, number> | undefined, fleet: number | undefined): StoredService {
  const operations = Object.keys(probabilities);
  return {
    operations,
    probabilities: operations.map((operation) => probabilities[operation]),
    ...(qps && { qps: operations.map((operation) => own(qps, operation) ?? null) }),
    ...(fleet !== undefined && { fleetRequests: fleet }),
  };
}

/**
 * A served shard's parsed content as readers hold it, whatever format wrote it. Format 5's
 * columns become records without a prototype, which V8 keeps as hash tables rather than
 * hidden classes; content of any other shape is refused as unreadable.
 */
export function servedServices(format: number, content: unknown, previous?: Record<string, ServedService>): Record<string, ServedService> {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw new TypeError('a served shard is not an object of services');
  if (format < 5) return content as Record<string, ServedService>;
  const services = dictionary<ServedService>();
  for (const [service, stored] of Object.entries(content as Record<string, Partial<StoredService>>)) {
    // A shard changes when one of its services does: the others keep the very objects the
    // shard's content before held (frozen), so they are neither made again nor found changed.
    const before = own(previous, service);
    services[service] = before && holds(before, stored) ? before : servedService(service, stored);
  }
  return services;
}

/** Whether `stored` is what `before` was read from: the same operations in the same order, the same numbers. */
function holds(before: ServedService, stored: Partial<StoredService>): boolean {
  const { operations, probabilities, qps, fleetRequests } = stored ?? {};
  if (!Array.isArray(operations) || !Array.isArray(probabilities) || before.fleetRequests !== fleetRequests) return false;
  const names = Object.keys(before.probabilities);
  if (names.length !== operations.length || probabilities.length !== operations.length) return false;
  if ((qps === undefined) !== (before.qps === undefined) || (qps !== undefined && (!Array.isArray(qps) || qps.length !== operations.length))) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (name !== operations[i] || before.probabilities[name] !== probabilities[i]) return false;
    if (qps && (own(before.qps, name) ?? null) !== qps[i]) return false;
  }
  return true;
}

function servedService(service: string, stored: Partial<StoredService>): ServedService {
  const { operations, probabilities, qps, fleetRequests } = stored ?? {};
  const n = Array.isArray(operations) ? operations.length : -1;
  if (n < 0 || !Array.isArray(probabilities) || probabilities.length !== n || (qps !== undefined && (!Array.isArray(qps) || qps.length !== n))) {
    throw new TypeError(`service ${JSON.stringify(service)} has no operations and probabilities of one length`);
  }
  const rates = dictionary<number>();
  const qpsOf = qps && dictionary<number>();
  for (let i = 0; i < n; i++) {
    const operation = operations![i];
    if (typeof operation !== 'string') throw new TypeError(`service ${JSON.stringify(service)} has an operation that is not a name`);
    // Values are checked where snapshots are served (a bad one is dropped there, not the shard).
    rates[operation] = probabilities[i];
    if (qpsOf && qps![i] !== null) qpsOf[operation] = qps![i]!;
  }
  return { probabilities: rates, ...(qpsOf && { qps: qpsOf }), ...(typeof fleetRequests === 'number' && { fleetRequests }) };
}

function serialised(services: object): Required<EncodedShard> {
  const bytes = Buffer.from(JSON.stringify(services));
  return { bytes, hash: createHash('sha1').update(bytes).digest('base64url') };
}

/**
 * Splits UTF-8 into values of at most `size` bytes (at least 4, the longest character; views,
 * not copies), each cut made before the first byte of a character: every value is valid UTF-8
 * alone, so readers decode each as text and join them. Bytes that are not text (`text`
 * false) are cut every `size` bytes, and read as bytes.
 */
export function chunk(bytes: Buffer, size = MAX_VALUE_BYTES, text = true): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + size);
    // 10xxxxxx continues a character: back up to where it begins.
    while (text && end < bytes.length && end > start + 1 && (bytes[end] & 0xc0) === 0x80) end--;
    chunks.push(bytes.subarray(start, end));
    start = end;
  }
  return chunks.length > 0 ? chunks : [Buffer.alloc(0)];
}

/** The stored format is newer (or other) than this replica reads: it keeps what it serves. */
export class StoreFormatError extends Error {
  constructor(found: unknown) {
    super(`stored probabilities have format ${JSON.stringify(found)}; this replica reads format ${STORE_FORMAT} and keeps serving its last snapshot`);
    this.name = 'StoreFormatError';
  }
}

/** Formats before this one that replicas still read, so an upgrade keeps serving the stored rates. */
const READ_FORMATS = [2, 3, 4];

export function parseManifest(raw: string): Manifest {
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(raw) as Partial<Manifest>;
  } catch (error) {
    throw new StoreFormatError(`unreadable (${(error as Error).message})`);
  }
  // Format 2 kept explanations inside the served shards, formats 2 and 3 the totals, formats
  // 2 to 4 each service's probabilities as an object (`servedServices` reads both).
  if (parsed?.format === 2) parsed = { ...parsed, explanations: {} };
  if (parsed?.format === 2 || parsed?.format === 3) parsed = { ...parsed, summaries: {} };
  if (parsed?.format !== STORE_FORMAT && !READ_FORMATS.includes(parsed?.format as number)) throw new StoreFormatError(parsed?.format);
  const parts = [parsed.shards, parsed.summaries, parsed.explanations];
  if (typeof parsed.computedAt !== 'number' || parts.some((part) => typeof part !== 'object' || part === null)) {
    throw new StoreFormatError(`${STORE_FORMAT} without computedAt, shards, summaries or explanations`);
  }
  return parsed as Manifest;
}
