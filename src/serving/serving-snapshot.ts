import type { SamplingStrategy, StrategySource } from '../sampling/strategy';
import { encodeStrategyJson } from '../sampling/strategy-json';
import { pollEtag } from './conditional-poll';
import { encodeStrategyProto } from './strategy-proto';

/** One service's answer, encoded for both transports ahead of any poll. */
export interface ServingEntry {
  readonly strategy: SamplingStrategy;
  readonly source: StrategySource;
  readonly json: Buffer;
  /** The entity tag of `json`, for conditional HTTP polls. */
  readonly etag: string;
  readonly proto: Buffer;
  /** The probability an SDK applies to `operation` under this strategy (undefined: rate limited). */
  rateFor(operation: string): number | undefined;
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

  /** Services with a strategy of their own, for the admin views. */
  services(): IterableIterator<[string, ServingEntry]> {
    return this.entries.entries();
  }
}

/** One service's answer, encoded for every transport. */
export function encodeEntry(strategy: SamplingStrategy, source: StrategySource): ServingEntry {
  const json = Buffer.from(encodeStrategyJson(strategy));
  return new EncodedEntry(source, json, pollEtag(json), encodeStrategyProto(strategy));
}

/**
 * Only the encoded answers are held: a large fleet's strategies as objects (two per operation)
 * would cost more than the bytes, in every snapshot kept. The strategy and the per-operation
 * rates are decoded from the JSON when first asked for (admin views, X-Ray rules, reports
 * without a probability), which the JSON encoding makes exact.
 */
class EncodedEntry implements ServingEntry {
  private decoded: SamplingStrategy | undefined;
  private rates: Map<string, number> | undefined;
  private fallbackRate: number | undefined;

  constructor(
    readonly source: StrategySource,
    readonly json: Buffer,
    readonly etag: string,
    readonly proto: Buffer,
  ) {}

  get strategy(): SamplingStrategy {
    return (this.decoded ??= this.parse());
  }

  /**
   * Reports without a probability ask this for every service: only the rates are kept, not the
   * decoded strategy, which would hold two objects per operation on every replica.
   */
  rateFor(operation: string): number | undefined {
    if (!this.rates) {
      const strategy = this.decoded ?? this.parse();
      this.rates = new Map();
      // jaeger-client and OTel JS both apply the last entry when a name repeats.
      for (const op of strategy.operationSampling?.perOperationStrategies ?? []) {
        this.rates.set(op.operation, op.probabilisticSampling.samplingRate);
      }
      // What jaeger-client and OTel SDKs fall back to for an operation the list does not name.
      this.fallbackRate = strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate;
    }
    return this.rates.get(operation) ?? this.fallbackRate;
  }

  private parse(): SamplingStrategy {
    return JSON.parse(this.json.toString('utf8')) as SamplingStrategy;
  }
}
