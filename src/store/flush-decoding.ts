import { BlockFilter } from './flush-blocks';
import { COUNTS_PER_OPERATION, FlushLineScanner } from './flush-line-scanner';
import type { PackedCounts } from './packed-counts';
import { type IntervalCounts, addFields } from './throughput-counts';

// Reading what flushes and kept intervals wrote (`throughput-counts.ts` writes it): the text
// summed into per-interval counts, as objects or packed.

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
  // One share per interval, then the recent part's (0 without one).
  const shares = new Array<number>(intervals.length + 1).fill(0);
  const recentBounds = recentFrom === undefined ? undefined : [recentFrom, bounds[bounds.length - 1]];
  return eachLine(text, scanner, {
    scanned: () => addScanned(scanner, intervals, bounds, recentBounds, shares, service),
    parsed: (line) => addParsed(line, intervals, bounds, recentBounds, shares, service),
  });
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
    // Only strings are probabilities: anything else in a list (written by no version) is left out.
    const strings = probabilities.every((p) => typeof p === 'string') ? (probabilities as string[]) : probabilities.filter((p): p is string => typeof p === 'string');
    parsed.operations.push({ operation, numbers: fields.slice(i + 1, i + 6).map(count), probabilities: strings });
  }
  return parsed;
}

/**
 * Flush or kept text into one interval's packed counts `into`, for [from, to) (and the recent
 * part from `recentFrom` to `to`, when given): what `decodeFlushes` would sum for that one
 * interval, without an object per operation. Returns how many unreadable lines or records were
 * skipped. `lists: false` keeps each list's lowest probability alone (`PackedReadOptions.lists`).
 */
export function decodePacked(
  text: string,
  from: number,
  to: number,
  into: PackedCounts,
  options: { service?: string; scanner?: FlushLineScanner; recentFrom?: number; lists?: boolean } = {},
): number {
  const { service, scanner = new FlushLineScanner(), recentFrom, lists = true } = options;
  const recentShare = (startMs: number, windowMs: number) => (recentFrom === undefined ? 0 : share(startMs, windowMs, recentFrom, to));
  return eachLine(text, scanner, {
    scanned: () => {
      if (service !== undefined && scanner.service !== service) return;
      const windowMs = Math.max(0, scanner.windowMs);
      const fraction = share(scanner.startMs, windowMs, from, to);
      if (fraction > 0) into.addLine(scanner, fraction, recentShare(scanner.startMs, windowMs));
    },
    parsed: (line) => {
      const parsed = parsedLine(line);
      if (!parsed) return 1;
      if (service !== undefined && parsed.service !== service) return parsed.skipped;
      const windowMs = Math.max(0, parsed.windowMs);
      const fraction = share(parsed.startMs, windowMs, from, to);
      if (fraction <= 0) return parsed.skipped;
      const recent = recentShare(parsed.startMs, windowMs);
      for (const { operation, numbers, probabilities } of parsed.operations) {
        into.add(parsed.service, operation, probabilities, [...numbers.map((n) => n * fraction), numbers[1] * recent], lists);
      }
      return parsed.skipped;
    },
    lists,
  });
}

/**
 * Walks the non-empty lines of one value's text, each flush's block once (see `flush-blocks`):
 * each the scanner reads in place goes to `scanned`, any other to `parsed`, which returns how
 * many of its parts it skipped. Returns the sum of those. `lists` goes to the scanner (see
 * `FlushLineScanner.scan`).
 */
function eachLine(
  text: string,
  scanner: FlushLineScanner,
  add: { scanned: () => void; parsed: (line: string) => number; lists?: boolean },
): number {
  let skipped = 0;
  const blocks = new BlockFilter();
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const from = start;
    start = end + 1;
    if (end === from) continue;
    if (blocks.enters(text, from, end) || blocks.skips()) continue;
    if (scanner.scan(text, from, end, add.lists)) add.scanned();
    else skipped += add.parsed(text.slice(from, end));
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
