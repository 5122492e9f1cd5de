import type { TimeSlicer } from '../common/time-slicer';
import { StoreUnavailableError } from './store';
import type { CountedOperation } from '../sampling/counted-operation';
import type { FlushBatch } from './flush-batch';
import type { PackedCounts } from './packed-counts';
import type { IntervalCounts } from './throughput-counts';

/**
 * Time-bucketed throughput shared by replicas. Each replica flushes its counters into the slots
 * they were seen in and records how far it has flushed; the leader reads only slots that every
 * live replica has flushed past by the longest report window (what is not flushed yet may be
 * spread back that far), so no count arrives in a slot after it was read.
 */
export interface ThroughputStore {
  /** Slot length: counts are attributed to the slot they were seen in. */
  readonly slotMs: number;
  /**
   * Adds the counts (records, or a drained accumulator's batch) to the slots their counts start in (their window's end, at most `drainedAt`,
   * less the window; `drainedAt` for an instant) and marks `replica` as flushed through
   * `drainedAt`. Encoding yields to `slicer`. A store that keeps what a failed flush could not
   * write (see `FlushNotWrittenError`) says how many of those counts a later flush dropped.
   */
  flush(replica: string, drainedAt: number, counts: CountedOperation[] | FlushBatch, slicer?: TimeSlicer): Promise<{ dropped: number } | void>;
  /**
   * The summed counts of each interval [bounds[i], bounds[i+1]) (slot boundaries, ascending),
   * read in one go: the number of round trips does not grow with the number of slots or
   * intervals. `service` limits the read to one service; `slicer` paces the decoding;
   * `recentFrom` counts the last interval's recent part apart.
   */
  readIntervals(bounds: number[], options?: ReadOptions): Promise<IntervalCounts[]>;
  /**
   * `readIntervals` of the one interval [from, to), packed (see `PackedCounts`): what a
   * calculation reads, a large fleet's interval without an object per operation.
   */
  readInterval(from: number, to: number, options?: PackedReadOptions): Promise<PackedCounts>;
  /** Merged counts of every slot starting in [fromMs, toMs), as records. */
  read(fromMs: number, toMs: number, options?: ReadOptions): Promise<CountedOperation[]>;
  /**
   * Keeps the interval [from, to)'s summed counts, as the leader read them, until `keptMs` has
   * passed: a new leader's history (and a policy preview's) reads these, one short line per
   * service, instead of every slot's flushes again, and the slots need not outlive the catch-up.
   * An interval without counts is not kept, so a history ends there.
   */
  keepInterval(from: number, to: number, counts: IntervalCounts | PackedCounts, slicer?: TimeSlicer): Promise<void>;
  /** The intervals kept, as [from, to] pairs, in no particular order. */
  keptIntervals(): Promise<Array<[number, number]>>;
  /**
   * The kept counts of each interval [bounds[i], bounds[i+1]) (each one kept as such), read as
   * `readIntervals` reads slots: in one go, and `service` alone when given.
   */
  readKept(bounds: number[], options?: ReadOptions): Promise<IntervalCounts[]>;
  /**
   * One kept interval [from, to) as packed counts (see `PackedCounts`), the way a new leader
   * folds its history an interval at a time: no object per operation.
   */
  readKeptInterval(from: number, to: number, options?: PackedReadOptions): Promise<PackedCounts>;
  /**
   * The earliest flush watermark among replicas that flushed after `aliveSince`, or undefined
   * when none did. Replicas silent since then are taken as gone and no longer waited for.
   */
  flushedThrough(aliveSince: number): Promise<number | undefined>;
  /** `replica` flushes no more (it has shut down): the leader stops waiting for it at once. */
  leave(replica: string): Promise<void>;
}

export interface ReadOptions {
  service?: string;
  slicer?: TimeSlicer;
  /**
   * The start of the last interval's recent part (a slot boundary within it): each of its
   * operations' `recent` counts the requests from there on, read in the same pass.
   */
  recentFrom?: number;
}

/** A packed read's options (`readInterval`, `readKeptInterval`). */
export interface PackedReadOptions extends ReadOptions {
  /** false: each list is read as its lowest probability alone (`COUNT.lowest`), its list `NO_PROBABILITIES`. */
  lists?: boolean;
}

export const THROUGHPUT_STORE = Symbol('THROUGHPUT_STORE');

/**
 * A flush the store did not take whole: `kept` operation counts wait to be written with the
 * next flush, `dropped` are lost (past the bound or the retention, or for slots already read).
 */
export class FlushNotWrittenError extends StoreUnavailableError {
  constructor(
    message: string,
    readonly kept: number,
    readonly dropped: number,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'FlushNotWrittenError';
  }
}
