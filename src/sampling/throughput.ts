/**
 * Throughput as Jaeger's adaptive sampling sees it: per (service, operation), the number of
 * probabilistically sampled root spans and the sampler probabilities those spans carried.
 */

/** One replica's counts for one operation over one flush interval. */
export interface ThroughputRecord {
  service: string;
  operation: string;
  count: number;
  /** `samplane`: how much of `count` reporters counted exactly (see `OperationThroughput`). */
  exact?: number;
  /** `samplane`: errors among `outcomes`. */
  errors?: number;
  /** `samplane`: requests whose outcome was seen (absent: all of `count`). */
  outcomes?: number;
  /** Sampler probabilities seen, each already formatted with `formatProbability`. */
  probabilities: string[];
}

export interface OperationThroughput {
  count: number;
  /**
   * `samplane`: how much of `count` reporters counted exactly (absent: unknown, taken as all
   * scaled up from sampled spans, the noisier case).
   */
  exact?: number;
  /** `samplane`: errors among `outcomes`. */
  errors?: number;
  /** `samplane`: requests whose outcome was seen (absent: all of `count`). */
  outcomes?: number;
  /**
   * Distinct formatted probabilities; a recording replica keeps at most
   * `MAX_RECORDED_PROBABILITIES`. A short list, never changed in place (see `withProbability`):
   * a large fleet's bucket holds one per operation, and a Set each cost several times as much.
   */
  probabilities: readonly string[];
  /**
   * The part of `count` in the bucket's recent part (see `ThroughputBucket.recentSeconds`),
   * where the bucket has one.
   */
  recent?: number;
}

/** service → operation → throughput. */
export type ServiceThroughput = Map<string, Map<string, OperationThroughput>>;

/** All replicas' throughput for one calculation interval. */
export interface ThroughputBucket {
  throughput: ServiceThroughput;
  /** The interval's real length; QPS is `count / intervalSeconds`. */
  intervalSeconds: number;
  /**
   * The length of the interval's last part, whose count each operation's `recent` holds (also
   * counted in `count`): it tells whether a change began early in the interval or only at its
   * end. Absent where the interval is too short to split; `jaeger` does not read it. A number
   * per operation rather than a bucket of its own: a large fleet's bucket is the largest thing
   * a calculation holds.
   */
  recentSeconds?: number;
}

/** A bucket's recent part is its last quarter. */
const RECENT_FRACTION = 4;

/**
 * How long the recent part of a bucket of `length` is, in whole `unit`s (the store's slots), at
 * least one; as long as the bucket itself when the bucket is too short to split.
 */
export function recentPartLength(length: number, unit: number): number {
  return Math.min(length, Math.max(unit, Math.floor(length / RECENT_FRACTION / unit) * unit));
}

/**
 * Jaeger's collectors stop adding probabilities to an operation's set once it holds this many,
 * which bounds memory when a client keeps changing its rate.
 */
export const MAX_RECORDED_PROBABILITIES = 10;

/**
 * Adds a probability the way a recording replica does: ignored once the set is full, so the
 * first ten distinct values seen in an interval are the ones kept.
 */
export function recordProbability(throughput: OperationThroughput, formatted: string): void {
  if (throughput.probabilities.length < MAX_RECORDED_PROBABILITIES) {
    throughput.probabilities = withProbability(throughput.probabilities, formatted);
  }
}

/**
 * The list with `formatted` added, or the list itself when it holds it already. A new list
 * rather than a push: lists are shared between buckets (a record spread over two intervals,
 * a bucket and its recent part), so none is changed in place.
 */
export function withProbability(list: readonly string[], formatted: string): readonly string[] {
  return list.includes(formatted) ? list : [...list, formatted];
}

/** The list of a read that keeps only each list's lowest probability (see `lowestProbability`). */
export const NO_PROBABILITIES: readonly string[] = Object.freeze([]);

/**
 * The lowest positive probability a list holds, as a number (Infinity: none): all of a list
 * `samplane` uses, the bound on how noisy a count scaled up from sampled spans can be. A read
 * for it keeps this number instead of the list (a million operations' lists, remembered from
 * read to read, held ~22 MiB).
 */
export function lowestProbability(list: readonly string[]): number {
  let lowest = Infinity;
  for (let i = 0; i < list.length; i++) {
    const p = parsedProbability(list[i]);
    if (p > 0 && p < lowest) lowest = p;
  }
  return lowest;
}

/** Probability texts read, and their numbers: a fleet reports a few hundred texts, each many times. */
const parsed = new Map<string, number>();
const MAX_PARSED = 4096;

/** A probability's text as `Number` reads it (NaN where it is no number). */
export function parsedProbability(text: string): number {
  let p = parsed.get(text);
  if (p === undefined) {
    p = Number(text);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(text, p);
  }
  return p;
}

/** Both lists' distinct values, `into` itself when `from` adds none. */
export function unionProbabilities(into: readonly string[], from: Iterable<string>): readonly string[] {
  let union = into;
  for (const p of from) union = withProbability(union, p);
  return union;
}

/**
 * Merges every replica's records for one interval: counts are summed and probability sets
 * unioned. The union is not capped — Jaeger bounds each replica's set when recording, not the
 * merged one — so a probability seen by any replica counts in the adaptive check.
 */
export function mergeThroughput(records: Iterable<ThroughputRecord>): ServiceThroughput {
  const merged: ServiceThroughput = new Map();
  for (const record of records) {
    let operations = merged.get(record.service);
    if (!operations) {
      operations = new Map();
      merged.set(record.service, operations);
    }
    const existing = operations.get(record.operation);
    if (existing) {
      if (existing.outcomes !== undefined || record.outcomes !== undefined) {
        existing.outcomes = (existing.outcomes ?? existing.count) + (record.outcomes ?? record.count);
      }
      existing.count += record.count;
      if (record.exact !== undefined) existing.exact = (existing.exact ?? 0) + record.exact;
      if (record.errors !== undefined) existing.errors = (existing.errors ?? 0) + record.errors;
      existing.probabilities = unionProbabilities(existing.probabilities, record.probabilities);
    } else {
      operations.set(record.operation, {
        count: record.count,
        probabilities: unionProbabilities([], record.probabilities),
        ...(record.exact !== undefined && { exact: record.exact }),
        ...(record.errors !== undefined && { errors: record.errors }),
        ...(record.outcomes !== undefined && { outcomes: record.outcomes }),
      });
    }
  }
  return merged;
}
