import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import { encodeStrategyJson } from '../sampling/strategy-json';
import { pollEtag } from './conditional-poll';
import { encodeStrategyProto } from './strategy-proto';

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

/** One service's answer, encoded for every transport. */
export function encodeEntry(strategy: SamplingStrategy, source: StrategySource): ServingEntry {
  const json = Buffer.from(encodeStrategyJson(strategy));
  return new EncodedEntry(source, json, pollEtag(json), encodeStrategyProto(strategy), ListedRates.of(strategy));
}

/**
 * Per-operation rates as two flat lists (the names are the strings the strategy already
 * holds), turned into a map at the first ask: every report without a probability asks, for
 * every operation, but a new snapshot does not cost every service a map up front.
 */
class ListedRates implements OperationRates {
  private lookup: Map<string, number> | undefined;

  private constructor(
    private names: string[] | undefined,
    private rates: Float64Array | undefined,
    /** What jaeger-client and OTel SDKs fall back to for an operation the list does not name. */
    private readonly fallback: number | undefined,
  ) {}

  static of(strategy: SamplingStrategy): ListedRates {
    const listed = strategy.operationSampling?.perOperationStrategies ?? [];
    const rates = new Float64Array(listed.length);
    const names = new Array<string>(listed.length);
    for (let i = 0; i < listed.length; i++) {
      names[i] = listed[i].operation;
      rates[i] = listed[i].probabilisticSampling.samplingRate;
    }
    const fallback = strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate;
    return new ListedRates(names, rates, fallback);
  }

  rateFor(operation: string): number | undefined {
    if (!this.lookup) {
      this.lookup = new Map();
      const names = this.names as string[];
      const rates = this.rates as Float64Array;
      // jaeger-client and OTel JS both apply the last entry when a name repeats.
      for (let i = 0; i < names.length; i++) this.lookup.set(names[i], rates[i]);
      this.names = undefined;
      this.rates = undefined;
    }
    return this.lookup.get(operation) ?? this.fallback;
  }
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
