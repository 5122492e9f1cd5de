import type { CountedOperation } from '../sampling/counted-operation';
import { CLOSE, COMMA, JsonLineWriter, OPEN } from './json-line-writer';
import { countedRecord } from './throughput-counts';

/** Columns of one operation's counts in `HeldCounts.values`. */
export const HELD = { sampled: 0, requests: 1, exact: 2, errors: 3, outcomes: 4, windowMs: 5 } as const;
export const HELD_WIDTH = 6;

/**
 * One service's counts of one kind (windowed or instant) since the last drain, as columns: a
 * name, six numbers and the probabilities seen per operation. An object per operation (its
 * doubles each boxed) and a record per flush were most of what a large fleet's ingest allocated
 * and most of what survived into the next scavenge; these are three arrays a service.
 */
export class HeldCounts {
  readonly names: string[] = [];
  /** `HELD_WIDTH` numbers per operation (see `HELD`); a plain array of doubles, stored unboxed. */
  readonly values: number[] = [];
  /** The probabilities seen: one (nearly always), several, or none. Never changed in place once drained. */
  readonly lists: Array<string | string[] | undefined> = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly service: string,
    /** When the latest window of these counts ended (0: none said, the drain's time). */
    public endMs = 0,
  ) {}

  get size(): number {
    return this.names.length;
  }

  /** The operation's row, or -1 when it holds none. */
  find(operation: string): number {
    return this.index.get(operation) ?? -1;
  }

  /** A new row for `operation` (not held yet), with zero counts. */
  append(operation: string): number {
    const row = this.names.length;
    this.index.set(operation, row);
    this.names.push(operation);
    // Pushed as doubles from the start: an integer first would make the array one of small
    // integers, converted (and copied) at the first fraction.
    for (let i = 0; i < HELD_WIDTH; i++) this.values.push(0.5);
    this.values.fill(0, row * HELD_WIDTH, row * HELD_WIDTH + HELD_WIDTH);
    this.lists.push(undefined);
    return row;
  }

  /** Adds `probability` to the row's list, unless there or the list holds `max` already. */
  addProbability(row: number, probability: string, max: number): void {
    const seen = this.lists[row];
    if (seen === undefined) this.lists[row] = probability;
    else if (typeof seen === 'string') {
      if (seen !== probability && max > 1) this.lists[row] = [seen, probability];
    } else if (seen.length < max && !seen.includes(probability)) seen.push(probability);
  }

  /** The row's probabilities as a new array. */
  listAt(row: number): string[] {
    const seen = this.lists[row];
    return seen === undefined ? [] : typeof seen === 'string' ? [seen] : [...seen];
  }
}

/**
 * What a flush writes: services' held counts, in order. A drained accumulator's, or records
 * given one at a time (each record's own window end kept: a run of records of one service and
 * window becomes one entry).
 */
export class FlushBatch {
  constructor(readonly entries: readonly HeldCounts[]) {}

  static of(records: readonly CountedOperation[]): FlushBatch {
    const entries: HeldCounts[] = [];
    let held: HeldCounts | undefined;
    let windowMs = -1;
    for (const r of records) {
      const window = r.windowMs ?? 0;
      // An operation repeated in a run starts an entry of its own, as it was a line's entry of
      // its own: summed here, a value that is not finite would take the other's with it.
      const sameRun = held && held.service === r.service && window === windowMs && held.endMs === (r.endMs ?? 0);
      if (!held || !sameRun || held.find(r.operation) >= 0) {
        held = new HeldCounts(r.service, r.endMs ?? 0);
        windowMs = window;
        entries.push(held);
      }
      const row = held.append(r.operation);
      const v = held.values;
      const at = row * HELD_WIDTH;
      v[at + HELD.sampled] = r.sampled;
      v[at + HELD.requests] = r.requests;
      v[at + HELD.exact] = r.exact ?? 0;
      v[at + HELD.errors] = r.errors;
      v[at + HELD.outcomes] = r.outcomes ?? r.requests;
      v[at + HELD.windowMs] = window;
      // Copied: the caller's list is never the batch's to change.
      const list = r.probabilities;
      held.lists[row] = list.length === 0 ? undefined : list.length === 1 ? list[0] : [...list];
    }
    return new FlushBatch(entries);
  }

  get size(): number {
    let size = 0;
    for (const held of this.entries) size += held.size;
    return size;
  }

  /**
   * The batch as records, one per operation and entry (`exact` and `outcomes` omitted where
   * they add nothing; `windowMs` and `endMs` where the counts have a window).
   */
  toRecords(): CountedOperation[] {
    const records: CountedOperation[] = [];
    for (const held of this.entries) {
      const v = held.values;
      for (let row = 0; row < held.size; row++) {
        const at = row * HELD_WIDTH;
        const record = countedRecord(
          held.service,
          held.names[row],
          v[at + HELD.sampled],
          v[at + HELD.requests],
          v[at + HELD.exact],
          v[at + HELD.errors],
          v[at + HELD.outcomes],
          held.listAt(row),
        );
        if (v[at + HELD.windowMs] > 0) {
          record.windowMs = v[at + HELD.windowMs];
          if (held.endMs > 0) record.endMs = held.endMs;
        }
        records.push(record);
      }
    }
    return records;
  }

  /**
   * The batch as lines of flush text (see `encodeFlush`), UTF-8, one per entry and window, each
   * with where its counts start: its window's end (at most `drainedAt`; the drain without one)
   * less the window. The caller appends each to the slot (and shard) that start falls in. Each
   * line is a view of `writer`'s arena.
   */
  *lines(drainedAt: number, writer = new JsonLineWriter()): Generator<{ service: string; startMs: number; bytes: Buffer; operations: number }> {
    for (const held of this.entries) {
      const v = held.values;
      const end = held.endMs > 0 ? Math.min(held.endMs, drainedAt) : drainedAt;
      // Operations of one service share a window in practice: one line, else one per window,
      // in the order the windows first appear.
      const rows = new Map<number, number[] | undefined>();
      for (let row = 0; row < held.size; row++) rows.set(v[row * HELD_WIDTH + HELD.windowMs], undefined);
      if (rows.size > 1) {
        for (const windowMs of rows.keys()) rows.set(windowMs, []);
        for (let row = 0; row < held.size; row++) rows.get(v[row * HELD_WIDTH + HELD.windowMs])!.push(row);
      }
      for (const [windowMs, only] of rows) {
        writer.begin();
        writer.byte(OPEN);
        writer.string(held.service);
        writer.byte(COMMA);
        writer.number(end - windowMs);
        writer.byte(COMMA);
        writer.number(windowMs);
        const count = only ? only.length : held.size;
        for (let i = 0; i < count; i++) writeOperation(writer, held, only ? only[i] : i);
        writer.byte(CLOSE);
        yield { service: held.service, startMs: end - windowMs, bytes: writer.end(), operations: count };
      }
    }
  }
}

/** `,NAME,SAMPLED,REQUESTS,EXACT,ERRORS,OUTCOMES,[PROBABILITIES]`: one operation of a flush line. */
function writeOperation(writer: JsonLineWriter, held: HeldCounts, row: number): void {
  const v = held.values;
  const at = row * HELD_WIDTH;
  writer.byte(COMMA);
  writer.string(held.names[row]);
  // The columns from `sampled` to `outcomes` are in the line's order.
  for (let k = HELD.sampled; k <= HELD.outcomes; k++) {
    writer.byte(COMMA);
    writer.number(v[at + k]);
  }
  writer.byte(COMMA);
  const seen = held.lists[row];
  if (typeof seen === 'string') {
    writer.byte(OPEN);
    writer.string(seen);
    writer.byte(CLOSE);
  } else writer.strings(seen ?? NONE);
}

/** Written for an operation without probabilities. */
const NONE: readonly string[] = [];

/**
 * One flush's records (of one shard and one slot) as text: a JSON array per service and
 * window per line, `[service, startMs, windowMs, operation, sampled, requests, exact, errors,
 * outcomes, [probabilities], operation, …]`. Appended to the slot's value after a line naming
 * the flush (`flush-blocks`), so a flush costs Redis one APPEND per shard and slot, whatever
 * the number of operations, and names travel JSON-escaped. The slot is the one `startMs` falls in.
 */
export function encodeFlush(records: CountedOperation[], drainedAt: number): string {
  const lines = [...FlushBatch.of(records).lines(drainedAt)].map((line) => line.bytes);
  return Buffer.concat(lines).toString('utf8');
}
