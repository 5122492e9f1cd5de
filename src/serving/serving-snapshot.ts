import type { OperationStrategy, SamplingStrategy, StrategySource } from '../sampling/strategy';
import { encodeStrategyJson } from '../sampling/strategy-json';
import { pollEtag } from './conditional-poll';
import { measureStrategyProto, writeStrategyProto } from './strategy-proto';

/** The probability an SDK applies to each operation under one service's strategy. */
export interface OperationRates {
  /** undefined: rate limited. */
  rateFor(operation: string): number | undefined;
}

/** One service's answer, encoded for both transports ahead of any poll. */
export interface ServingEntry {
  readonly strategy: SamplingStrategy;
  readonly source: StrategySource;
  readonly json: Buffer;
  /** The entity tag of `json`, for conditional HTTP polls. */
  readonly etag: string;
  readonly proto: Buffer;
  /**
   * The probability an SDK applies to each operation under it; held apart from the encoded
   * answer, which the served history does not keep.
   */
  readonly rates: OperationRates;
}

export interface ComposedStrategies {
  services: Map<string, { strategy: SamplingStrategy; source: StrategySource }>;
  fallback: { strategy: SamplingStrategy; source: StrategySource };
  /** Computed operations left out by ADAPTIVE_MAX_OPERATIONS. */
  overCap?: number;
}

/**
 * An immutable map from service to pre-encoded answer. Replaced whole on every change, so a
 * poll reads one consistent generation with a single map lookup and no locking.
 */
export class ServingSnapshot {
  private constructor(
    private readonly entries: Map<string, ServingEntry>,
    readonly fallback: ServingEntry,
    /** Version of the probabilities it was built from (0: none). */
    readonly probabilitiesVersion: number,
    readonly builtAt: number,
  ) {}

  static build(composed: ComposedStrategies, probabilitiesVersion: number, builtAt: number): ServingSnapshot {
    const entries = new Map<string, ServingEntry>();
    for (const [service, item] of composed.services) entries.set(service, encodeEntry(item.strategy, item.source));
    return new ServingSnapshot(
      entries,
      encodeEntry(composed.fallback.strategy, composed.fallback.source),
      probabilitiesVersion,
      builtAt,
    );
  }

  /** A snapshot of entries encoded beforehand (the map is owned by the snapshot from now on). */
  static of(entries: Map<string, ServingEntry>, fallback: ServingEntry, probabilitiesVersion: number, builtAt: number): ServingSnapshot {
    return new ServingSnapshot(entries, fallback, probabilitiesVersion, builtAt);
  }

  /** A copy of the entries, to derive the next snapshot from. */
  copyEntries(): Map<string, ServingEntry> {
    return new Map(this.entries);
  }

  lookup(service: string): ServingEntry {
    return this.entries.get(service) ?? this.fallback;
  }

  /** The service's own entry, without the fallback: what its next entry is derived from. */
  entryOf(service: string): ServingEntry | undefined {
    return this.entries.get(service);
  }

  /** What each service's SDKs applied, without the encoded answers (see ServedHistory). */
  ratesView(): RatesView {
    const rates = new Map<string, OperationRates>();
    for (const [service, entry] of this.entries) rates.set(service, entry.rates);
    return { rates, fallback: this.fallback.rates, builtAt: this.builtAt };
  }

  /** Services with a strategy of their own, for the admin views. */
  services(): IterableIterator<[string, ServingEntry]> {
    return this.entries.entries();
  }
}

/** A snapshot's per-operation rates by service, as of `builtAt`. */
export interface RatesView {
  rates: ReadonlyMap<string, OperationRates>;
  fallback: OperationRates;
  builtAt: number;
}

/**
 * One service's answer, encoded for every transport; `previous`, the entry it replaces, lends
 * its operations' index when it lists the same operations (see `ListedRates`).
 */
export function encodeEntry(strategy: SamplingStrategy, source: StrategySource, previous?: ServingEntry): ServingEntry {
  const text = encodeStrategyJson(strategy);
  const jsonBytes = Buffer.byteLength(text);
  // Both encodings in one allocation: a buffer past 4 KiB is an allocation of its own outside
  // the heap, and at a million operations two per re-encoded service were a tenth of the work.
  const both = Buffer.allocUnsafe(jsonBytes + measureStrategyProto(strategy));
  // Short, the rest of an unsafe allocation would go out as the answer's JSON.
  if (both.write(text, 0, jsonBytes, 'utf8') !== jsonBytes) throw new Error('a strategy’s JSON was written short');
  writeStrategyProto(strategy, both, jsonBytes);
  const json = both.subarray(0, jsonBytes);
  const rates = ListedRates.of(strategy, previous?.rates);
  return new EncodedEntry(source, json, pollEtag(json), both.subarray(jsonBytes), rates);
}

/**
 * Per-operation rates beside an index of their names, made at the first ask: every report
 * without a probability asks, for every operation, but a new snapshot does not cost every
 * service a map up front. A service's next list of the same operations (a calculation changes
 * rates, rarely names) shares the index, its rates put at the index's positions: a million
 * operations' maps were ~50 MiB per snapshot, made again after every calculation and held by
 * the served history for 30 s.
 */
class ListedRates implements OperationRates {
  private constructor(
    /** Each name's position in `rates` (the last one where a name repeats). */
    private index: ReadonlyMap<string, number> | undefined,
    /** Kept only until the index is made. */
    private names: string[] | undefined,
    /** Not a Float64Array, whose bytes are an allocation of their own outside the heap: one per service and snapshot. */
    private readonly rates: number[],
    /** What jaeger-client and OTel SDKs fall back to for an operation the list does not name. */
    private readonly fallback: number | undefined,
  ) {}

  static of(strategy: SamplingStrategy, previous?: OperationRates): ListedRates {
    const listed = strategy.operationSampling?.perOperationStrategies ?? [];
    const fallback = strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate;
    const index = previous instanceof ListedRates ? previous.index : undefined;
    const placed = index && ratesAt(index, listed);
    if (placed) return new ListedRates(index, undefined, placed, fallback);
    const rates = new Array<number>(listed.length);
    const names = new Array<string>(listed.length);
    for (let i = 0; i < listed.length; i++) {
      names[i] = listed[i].operation;
      rates[i] = listed[i].probabilisticSampling.samplingRate;
    }
    return new ListedRates(undefined, names, rates, fallback);
  }

  rateFor(operation: string): number | undefined {
    const at = (this.index ??= this.makeIndex(this.names as string[])).get(operation);
    return at === undefined ? this.fallback : this.rates[at];
  }

  private makeIndex(names: string[]): ReadonlyMap<string, number> {
    const index = new Map<string, number>();
    // jaeger-client and OTel JS both apply the last entry when a name repeats.
    for (let i = 0; i < names.length; i++) index.set(names[i], i);
    this.names = undefined;
    return index;
  }
}

/**
 * The list's rates at their names' positions in `index`, where it lists exactly the operations
 * the index holds, each once, at positions within the list; undefined where it does not.
 */
function ratesAt(index: ReadonlyMap<string, number>, listed: readonly OperationStrategy[]): number[] | undefined {
  if (index.size !== listed.length) return undefined;
  const rates = new Array<number>(listed.length);
  for (const { operation, probabilisticSampling } of listed) {
    const at = index.get(operation);
    // A position past the end comes from an index made from a list with repeats; one already
    // set, from a name this list repeats.
    if (at === undefined || at >= listed.length || rates[at] !== undefined) return undefined;
    rates[at] = probabilisticSampling.samplingRate;
  }
  return rates;
}

/**
 * Only the encoded answers are held: a large fleet's strategies as objects (two per operation)
 * would cost more than the bytes, in every snapshot kept. The strategy is decoded from the
 * JSON when first asked for (admin views, X-Ray rules), which the JSON encoding makes exact;
 * the per-operation rates, which every report without a probability needs, are kept apart.
 */
class EncodedEntry implements ServingEntry {
  private decoded: SamplingStrategy | undefined;

  constructor(
    readonly source: StrategySource,
    readonly json: Buffer,
    readonly etag: string,
    readonly proto: Buffer,
    readonly rates: ListedRates,
  ) {}

  get strategy(): SamplingStrategy {
    return (this.decoded ??= this.parse());
  }

  private parse(): SamplingStrategy {
    return JSON.parse(this.json.toString('utf8')) as SamplingStrategy;
  }
}
