import type { CountedOperation } from '../sampling/counted-operation';
import { type OperationThroughput, unionProbabilities } from '../sampling/throughput';
import { COUNTS_PER_OPERATION, FlushLineScanner } from './flush-line-scanner';
import { COUNT_WIDTH, PackedCounts, type ServiceCounts } from './packed-counts';

/** One operation's counts summed over an interval, every field explicit. */
export interface OperationCounts extends OperationThroughput {
  sampled: number;
  requests: number;
  /** The part of `requests` counted exactly. */
  exact: number;
  errors: number;
  /** Requests whose outcome was seen. */
  outcomes: number;
  /** Distinct formatted probabilities seen, never changed in place; the union over replicas is not capped. */
  probabilities: readonly string[];
  /** What a calculator counts (requests or sampled), set when the counts become its bucket; 0 until then. */
  count: number;
  /** The part of `requests` in the read's recent part (`ReadOptions.recentFrom`); 0 without one. */
  recent: number;
}

/** service → operation → counts. */
export type IntervalCounts = Map<string, Map<string, OperationCounts>>;

/** Adds one replica's record to `into`. */
export function addCounted(into: IntervalCounts, record: CountedOperation): void {
  addFields(
    into,
    record.service,
    record.operation,
    record.sampled,
    record.requests,
    record.exact ?? 0,
    record.errors,
    record.outcomes ?? record.requests,
    record.probabilities,
  );
}

export function addFields(
  into: IntervalCounts,
  service: string,
  operation: string,
  sampled: number,
  requests: number,
  exact: number,
  errors: number,
  outcomes: number,
  probabilities: readonly string[],
  recent = 0,
): void {
  let operations = into.get(service);
  if (!operations) {
    operations = new Map();
    into.set(service, operations);
  }
  const counts = operations.get(operation);
  if (!counts) {
    // Held as given: lists are never changed in place, so a decoded record's own list serves.
    // `count` starts as -0, a double: set to a fraction later, a field that began as a small
    // integer would move every object to a new layout (~1 µs each, seconds at a million).
    operations.set(operation, { sampled, requests, exact, errors, outcomes, probabilities, count: -0, recent });
    return;
  }
  counts.sampled += sampled;
  counts.requests += requests;
  counts.exact += exact;
  counts.errors += errors;
  counts.outcomes += outcomes;
  counts.recent += recent;
  counts.probabilities = unionProbabilities(counts.probabilities, probabilities);
}

/** The counts as records, one per operation (`exact` and `outcomes` omitted where they add nothing). */
export function toCounted(counts: IntervalCounts): CountedOperation[] {
  const records: CountedOperation[] = [];
  for (const [service, operations] of counts) {
    for (const [operation, c] of operations) records.push(countedRecord(service, operation, c, [...c.probabilities]));
  }
  return records;
}

/**
 * One operation's counts as a record (`exact` and `outcomes` omitted where they add nothing),
 * holding `probabilities` as given.
 */
export function countedRecord(
  service: string,
  operation: string,
  c: Omit<OperationCounts, 'probabilities' | 'count' | 'recent'>,
  probabilities: string[],
): CountedOperation {
  // Assigned rather than spread: a flush builds tens of thousands of these every second.
  const record: CountedOperation = {
    service,
    operation,
    sampled: c.sampled,
    requests: c.requests,
    errors: c.errors,
    probabilities,
  };
  if (c.exact > 0) record.exact = c.exact;
  if (c.outcomes !== c.requests) record.outcomes = c.outcomes;
  return record;
}

/**
 * Consecutive records of one service and one window. A flush's records come a service at a
 * time with one window in practice, so what depends only on those two (a shard, a slot, a
 * line) is worked out once per run rather than once per operation.
 */
export function* recordRuns(records: CountedOperation[]): Generator<CountedOperation[]> {
  let start = 0;
  for (let i = 1; i <= records.length; i++) {
    if (i === records.length || records[i].service !== records[start].service || (records[i].windowMs ?? 0) !== (records[start].windowMs ?? 0)) {
      yield records.slice(start, i);
      start = i;
    }
  }
}

/** Where a flushed record's counts were seen: from `startMs`, spread evenly over `windowMs`. */
export function recordStart(record: CountedOperation, drainedAt: number): number {
  return drainedAt - (record.windowMs ?? 0);
}

/**
 * One flush's records (of one shard and one slot) as text: a JSON array per service and
 * window per line, `[service, startMs, windowMs, operation, sampled, requests, exact, errors,
 * outcomes, [probabilities], operation, …]`. Appended to the slot's value as is, so a flush
 * costs Redis one APPEND per shard and slot, whatever the number of operations, and names
 * travel JSON-escaped. The slot is the one `startMs` falls in.
 */
export function encodeFlush(records: CountedOperation[], drainedAt: number): string {
  const lines = new Map<string, unknown[]>();
  for (const run of recordRuns(records)) {
    const { service, windowMs = 0 } = run[0];
    const key = `${windowMs}|${service}`;
    let line = lines.get(key);
    if (!line) {
      line = [service, recordStart(run[0], drainedAt), windowMs];
      lines.set(key, line);
    }
    for (const r of run) line.push(r.operation, r.sampled, r.requests, r.exact ?? 0, r.errors, r.outcomes ?? r.requests, r.probabilities);
  }
  let text = '';
  for (const line of lines.values()) text += `${JSON.stringify(line)}\n`;
  return text;
}

/**
 * One service's summed counts of [from, to) as a line of the flush text, spread over the whole
 * interval: read back over the same interval, every count is the sum again, to a millionth.
 * (Sums of spread counts carry 17 digits; 15 or fewer are read without a string each.)
 */
export function encodeIntervalLine(service: string, operations: Map<string, OperationCounts>, from: number, to: number): string {
  const line: unknown[] = [service, from, to - from];
  for (const [operation, c] of operations) {
    line.push(operation, millionths(c.sampled), millionths(c.requests), millionths(c.exact), millionths(c.errors), millionths(c.outcomes), c.probabilities);
  }
  return `${JSON.stringify(line)}\n`;
}

/** `encodeIntervalLine` of a service's packed counts. */
export function encodePackedIntervalLine(service: string, counts: ServiceCounts, from: number, to: number): string {
  const line: unknown[] = [service, from, to - from];
  const { ops, values, lists } = counts;
  for (let row = 0; row < ops.length; row++) {
    const at = row * COUNT_WIDTH;
    line.push(ops[row]);
    for (let k = 0; k < COUNTS_PER_OPERATION; k++) line.push(millionths(values[at + k]));
    line.push(lists[row]);
  }
  return `${JSON.stringify(line)}\n`;
}

/** The services of counts of either form. */
export function servicesOf(counts: IntervalCounts | PackedCounts): Iterable<string> {
  return counts instanceof PackedCounts ? counts.services.keys() : counts.keys();
}

/** A service's kept line of [from, to), for counts of either form. */
export function intervalLine(counts: IntervalCounts | PackedCounts, service: string, from: number, to: number): string {
  if (counts instanceof PackedCounts) {
    const packed = counts.services.get(service);
    return packed ? encodePackedIntervalLine(service, packed, from, to) : '';
  }
  const operations = counts.get(service);
  return operations ? encodeIntervalLine(service, operations, from, to) : '';
}

function millionths(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function count(value: unknown): number {
  return typeof value === 'number' ? finite(value) : 0;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/**
 * Adds every record of appended flush text to the intervals [bounds[i], bounds[i+1]) its counts
 * fall in: a record seen at one instant to the interval holding it, a record spread over a
 * window to each interval in proportion to their overlap. Only `service` when given. Returns how
 * many unreadable lines or records were skipped. One `scanner` for all the texts of a read lets
 * the names and lists every slot repeats be read once. With `recentFrom` (in the last interval),
 * each operation's `recent` there also counts its requests from it to the last bound, alike.
 */
export function decodeFlushes(
  text: string,
  bounds: number[],
  intervals: IntervalCounts[],
  service?: string,
  scanner = new FlushLineScanner(),
  recentFrom?: number,
): number {
  let skipped = 0;
  let start = 0;
  // One share per interval, then the recent part's (0 without one).
  const shares = new Array<number>(intervals.length + 1).fill(0);
  const recentBounds = recentFrom === undefined ? undefined : [recentFrom, bounds[bounds.length - 1]];
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const from = start;
    start = end + 1;
    if (end === from) continue;
    if (scanner.scan(text, from, end)) {
      addScanned(scanner, intervals, bounds, recentBounds, shares, service);
      continue;
    }
    skipped += addParsed(text.slice(from, end), intervals, bounds, recentBounds, shares, service);
  }
  return skipped;
}

/** A line the scanner read, added without a record object per operation. */
function addScanned(
  line: FlushLineScanner,
  intervals: IntervalCounts[],
  bounds: number[],
  recentBounds: number[] | undefined,
  shares: number[],
  service?: string,
): void {
  if (service !== undefined && line.service !== service) return;
  if (!spreadAll(line.startMs, Math.max(0, line.windowMs), bounds, recentBounds, shares)) return;
  const counts = line.counts;
  const recentShare = shares[intervals.length];
  for (let i = 0; i < line.operationCount; i++) {
    const at = i * COUNTS_PER_OPERATION;
    for (let k = 0; k < intervals.length; k++) {
      const share = shares[k];
      if (share <= 0) continue;
      addFields(
        intervals[k],
        line.service,
        line.operations[i],
        finite(counts[at]) * share,
        finite(counts[at + 1]) * share,
        finite(counts[at + 2]) * share,
        finite(counts[at + 3]) * share,
        finite(counts[at + 4]) * share,
        line.lists[i],
        // The recent part lies in the last interval.
        k === intervals.length - 1 ? finite(counts[at + 1]) * recentShare : 0,
      );
    }
  }
}

/** A line in any other form, through JSON.parse; returns how many of its parts were skipped. */
function addParsed(
  line: string,
  intervals: IntervalCounts[],
  bounds: number[],
  recentBounds: number[] | undefined,
  shares: number[],
  service?: string,
): number {
  const parsed = parsedLine(line);
  if (!parsed) return 1;
  if (service !== undefined && parsed.service !== service) return 0;
  if (!spreadAll(parsed.startMs, Math.max(0, parsed.windowMs), bounds, recentBounds, shares)) return parsed.skipped;
  const recentShare = shares[intervals.length];
  for (const { operation, numbers, probabilities } of parsed.operations) {
    for (let k = 0; k < intervals.length; k++) {
      const share = shares[k];
      if (share <= 0) continue;
      const [sampled, requests, exact, errors, outcomes] = numbers.map((n) => n * share);
      const recent = k === intervals.length - 1 ? numbers[1] * recentShare : 0;
      addFields(intervals[k], parsed.service, operation, sampled, requests, exact, errors, outcomes, probabilities, recent);
    }
  }
  return parsed.skipped;
}

interface ParsedLine {
  service: string;
  startMs: number;
  windowMs: number;
  /** Its well-formed operations, numbers in the line's order (sampled, requests, exact, errors, outcomes), each finite. */
  operations: Array<{ operation: string; numbers: number[]; probabilities: string[] }>;
  /** Parts left out as malformed. */
  skipped: number;
}

/** A line through JSON.parse, or undefined when it is no line at all. */
function parsedLine(line: string): ParsedLine | undefined {
  let fields: unknown[];
  try {
    fields = JSON.parse(line) as unknown[];
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || typeof fields[0] !== 'string' || typeof fields[1] !== 'number' || typeof fields[2] !== 'number') {
    return undefined;
  }
  const parsed: ParsedLine = { service: fields[0], startMs: fields[1], windowMs: fields[2], operations: [], skipped: (fields.length - 3) % 7 !== 0 ? 1 : 0 };
  for (let i = 3; i + 6 < fields.length; i += 7) {
    const operation = fields[i];
    const probabilities = fields[i + 6];
    if (typeof operation !== 'string' || !Array.isArray(probabilities)) {
      parsed.skipped++;
      continue;
    }
    parsed.operations.push({ operation, numbers: fields.slice(i + 1, i + 6).map(count), probabilities: probabilities as string[] });
  }
  return parsed;
}

/**
 * Flush or kept text into one interval's packed counts `into`, for [from, to) (and the recent
 * part from `recentFrom` to `to`, when given): what `decodeFlushes` would sum for that one
 * interval, without an object per operation. Returns how many unreadable lines or records were
 * skipped.
 */
export function decodePacked(
  text: string,
  from: number,
  to: number,
  into: PackedCounts,
  options: { service?: string; scanner?: FlushLineScanner; recentFrom?: number } = {},
): number {
  const { service, scanner = new FlushLineScanner(), recentFrom } = options;
  const recentShare = (startMs: number, windowMs: number) => (recentFrom === undefined ? 0 : share(startMs, windowMs, recentFrom, to));
  let skipped = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const lineFrom = start;
    start = end + 1;
    if (end === lineFrom) continue;
    if (scanner.scan(text, lineFrom, end)) {
      if (service !== undefined && scanner.service !== service) continue;
      const windowMs = Math.max(0, scanner.windowMs);
      const fraction = share(scanner.startMs, windowMs, from, to);
      if (fraction > 0) into.addLine(scanner, fraction, recentShare(scanner.startMs, windowMs));
      continue;
    }
    const parsed = parsedLine(text.slice(lineFrom, end));
    if (!parsed) {
      skipped++;
      continue;
    }
    skipped += parsed.skipped;
    if (service !== undefined && parsed.service !== service) continue;
    const windowMs = Math.max(0, parsed.windowMs);
    const fraction = share(parsed.startMs, windowMs, from, to);
    if (fraction <= 0) continue;
    const recent = recentShare(parsed.startMs, windowMs);
    for (const { operation, numbers, probabilities } of parsed.operations) {
      into.add(parsed.service, operation, probabilities, [...numbers.map((n) => n * fraction), numbers[1] * recent]);
    }
  }
  return skipped;
}

/**
 * Each interval's share of [startMs, startMs + windowMs) into `shares`, then the recent part's
 * after them (0 without one); false when no interval has any.
 */
function spreadAll(startMs: number, windowMs: number, bounds: number[], recentBounds: number[] | undefined, shares: number[]): boolean {
  let any = false;
  const intervals = bounds.length - 1;
  for (let k = 0; k < intervals; k++) {
    shares[k] = share(startMs, windowMs, bounds[k], bounds[k + 1]);
    if (shares[k] > 0) any = true;
  }
  shares[intervals] = recentBounds ? share(startMs, windowMs, recentBounds[0], recentBounds[1]) : 0;
  return any;
}

/** The share of [startMs, startMs + windowMs) in [from, to): an instant's is 1 or 0. */
function share(startMs: number, windowMs: number, from: number, to: number): number {
  if (windowMs === 0) return startMs >= from && startMs < to ? 1 : 0;
  return Math.max(0, Math.min(to, startMs + windowMs) - Math.max(from, startMs)) / windowMs;
}
