import type { Probabilities, RestoredInputs, SavedRows } from '../calculator';
import { type ThroughputBucket, lowestProbability } from '../throughput';
import { dictionary } from '../dictionary';
import { inputColumns } from '../input-columns';
import { PACKED, PACKED_WIDTH, PackedBucket, type PackedOperations } from '../packed-bucket';
import { OperationState, SAVED_ROW } from './operation-state';
import { RestoredErrors } from './restored-errors';
import type { SamplaneTuning } from './samplane-options';
import type { TimeSlicer } from '../../common/time-slicer';

/**
 * What samplane knows of every operation it has seen: a row of estimates each (request rate,
 * errors, the probability last calculated), the probabilities a new leader restored for
 * operations without a row yet, and how a bucket's counts are folded into the rows.
 */
export class FleetEstimates {
  /** service → operation → its row in `state`; an operation here is in the output. */
  readonly operations = new Map<string, Map<string, number>>();
  /** What is known of each operation, viewed one row at a time. */
  readonly state: OperationState;
  /**
   * Restored probabilities of operations without a row yet; an operation's row takes its own
   * when made (and holds the calculated one after), so a fold or a calculation reads a number
   * from the table, not a name from a map.
   */
  private restored: Probabilities = dictionary();
  private restoredCount = 0;
  /**
   * Set when `restored` is the map `restore` was given, its caller's, which is never changed
   * here: the services whose own map has been copied since (none: the outer map is the caller's).
   */
  private restoredCopies: Set<string> | undefined;
  /** Whether rows may have taken restored error state up since the last calculation. */
  private errorsRestored = false;
  /** Error state a previous leader recorded, taken up when each operation is first folded. */
  private readonly restoredErrors = new RestoredErrors();
  /** One operation's counts as `fold` reads them, reused: no object per operation. */
  private readonly folded: FoldedCounts = { count: 0, exact: NaN, recent: 0, outcomes: 0, errors: 0, lowestReported: Infinity };

  constructor(
    private readonly tuning: SamplaneTuning,
    private readonly initialProbability: number,
  ) {
    this.state = new OperationState(tuning);
  }

  /** Probabilities in effect (and a previous leader's error state) replace what the rows hold. */
  restore(probabilities: Probabilities, restored?: RestoredInputs): void {
    // What is restored replaces what is in effect: rows it does not name lose theirs.
    for (const operations of this.operations.values()) for (const row of operations.values()) this.state.at(row).probability = NaN;
    if (this.operations.size === 0) {
      // A new term's calculator (no rows yet) reads the caller's probabilities where they are,
      // never changing them: a copy was a second map of every operation beside the caller's.
      this.restored = probabilities;
      this.restoredCopies = new Set();
      this.restoredCount = 0;
      for (const given of Object.values(probabilities)) this.restoredCount += Object.keys(given).length;
    } else {
      this.restored = dictionary();
      this.restoredCopies = undefined;
      this.restoredCount = 0;
      for (const [service, given] of Object.entries(probabilities)) {
        const rows = this.operations.get(service);
        for (const operation of Object.keys(given)) {
          const row = rows?.get(operation);
          if (row !== undefined) {
            this.state.at(row).probability = given[operation];
          } else {
            (this.restored[service] ??= dictionary<number>())[operation] = given[operation];
            this.restoredCount++;
          }
        }
      }
    }
    if (!restored) return;
    for (const [service, given] of Object.entries(restored.inputs)) {
      const columns = inputColumns(given);
      const rows = this.operations.get(service);
      // A new term's calculator has no rows yet (an emptied service's map is deleted): the
      // service's columns are kept whole.
      if (!rows) {
        this.restoredErrors.setAll(service, columns, restored.elapsedSeconds);
        continue;
      }
      columns.ops.forEach((operation, row) => {
        const errors = rows.has(operation) ? undefined : columns.errorsAt(row);
        if (errors) this.restoredErrors.set(service, operation, errors, restored.elapsedSeconds);
      });
    }
    this.errorsRestored = true;
  }

  /**
   * After a bucket of a new leader's history: the restored error state of the services whose
   * every operation has taken its own up goes, a service at a time (at a million operations,
   * columns and names of ~100 MiB held to the first calculation's end otherwise).
   */
  async historyFolded(slicer: TimeSlicer): Promise<void> {
    for (const service of this.restoredErrors.services()) {
      const rows = this.operations.get(service);
      if (rows) this.restoredErrors.release(service, (operation) => rows.has(operation));
      if (slicer.due()) await slicer.yield();
    }
  }

  /** The service's rows as saved (see `SAVED_ROW`), in the order of `operations`; undefined where it has none. */
  saved(service: string): SavedRows | undefined {
    const rows = this.operations.get(service);
    if (!rows) return undefined;
    const numbers = new Float64Array(rows.size * SAVED_ROW.numbers);
    const flags = new Uint8Array(rows.size * SAVED_ROW.flags);
    let i = 0;
    for (const row of rows.values()) this.state.at(row).saveTo(numbers, flags, i++);
    return { ops: [...rows.keys()], numbers, flags };
  }

  /**
   * A previous leader's saved rows of one service, after `restore` and before any fold: each
   * operation's row made with its restored probability, then set from the saved one, error
   * state included (the inputs' need not be restored). False, nothing taken, where the rows'
   * shape is not `SAVED_ROW`'s.
   */
  restoreService(service: string, saved: SavedRows): boolean {
    const n = saved.ops.length;
    if (saved.numbers.length !== n * SAVED_ROW.numbers || saved.flags.length !== n * SAVED_ROW.flags) return false;
    // Room for every restored operation at once (the rows are among them): grown as taken up,
    // a million rows' table was copied two dozen times, 390 MiB held at the last.
    if (this.state.size === 0) this.state.reserve(this.restoredCount);
    let rows = this.operations.get(service);
    if (!rows) {
      rows = new Map();
      this.operations.set(service, rows);
    }
    for (let i = 0; i < n; i++) {
      const operation = saved.ops[i];
      if (rows.has(operation)) continue;
      const row = this.state.addSaved(saved.numbers, saved.flags, i);
      if (this.restoredCount > 0) this.state.probability = this.known(service, operation, this.state) ?? NaN;
      rows.set(operation, row);
    }
    if (rows.size === 0) this.operations.delete(service);
    return true;
  }

  /** Folds one bucket's counts of one service into its operations' estimates (fold number `fold`). */
  fold(service: string, bucket: ThroughputBucket | PackedBucket, newest: boolean, fold: number): void {
    const c = this.folded;
    let rows = this.operations.get(service);
    if (!rows) {
      rows = new Map();
      this.operations.set(service, rows);
    }
    if (bucket instanceof PackedBucket) {
      const { ops, values } = bucket.services.get(service) ?? NO_OPERATIONS;
      for (let i = 0, at = 0; i < ops.length; i++, at += PACKED_WIDTH) {
        c.count = values[at + PACKED.count];
        c.exact = values[at + PACKED.exact];
        c.recent = values[at + PACKED.recent];
        c.outcomes = values[at + PACKED.outcomes];
        c.errors = values[at + PACKED.errors];
        c.lowestReported = values[at + PACKED.lowest];
        this.foldOperation(service, rows, ops[i], bucket, newest, fold);
      }
    } else {
      for (const [operation, t] of bucket.throughput.get(service) ?? []) {
        c.count = t.count;
        c.exact = t.exact ?? NaN;
        c.recent = t.recent ?? 0;
        c.outcomes = t.outcomes ?? t.count;
        c.errors = t.errors ?? 0;
        c.lowestReported = lowestProbability(t.probabilities);
        this.foldOperation(service, rows, operation, bucket, newest, fold);
      }
    }
    if (rows.size === 0) this.operations.delete(service);
    else this.foldIdle(service, rows, bucket, fold);
  }

  /** The probability in effect: the last calculated, else a restored one (`state` at the operation's row). */
  known(service: string, operation: string, state: OperationState): number | undefined {
    const own = state.probability;
    if (!Number.isNaN(own)) return own;
    if (this.restoredCount === 0) return undefined;
    const restored = Object.hasOwn(this.restored, service) ? this.restored[service] : undefined;
    return restored && Object.hasOwn(restored, operation) ? restored[operation] : undefined;
  }

  /** `seconds` no bucket covers, for every operation held (see `AdaptiveCalculator.unread`). */
  unread(seconds: number): void {
    for (const operations of this.operations.values()) for (const row of operations.values()) this.state.at(row).errors.cool(seconds);
  }

  /**
   * After a calculation: drops the restored probabilities now held by rows (after a term's first
   * calculations, none are left) and the restored error state, which every row has taken up.
   */
  settled(): void {
    this.restoredErrors.clear();
    if (this.errorsRestored) {
      // From now on a row's errors learn from every bucket folded, history or not.
      for (const operations of this.operations.values()) for (const row of operations.values()) this.state.at(row).errorsRestored = false;
      this.errorsRestored = false;
    }
    if (this.restoredCount === 0) {
      this.restored = dictionary();
      this.restoredCopies = undefined;
      return;
    }
    // What is left is a new map: the restored one may be the caller's.
    const left = dictionary<Record<string, number>>();
    let count = 0;
    for (const [service, operations] of Object.entries(this.restored)) {
      const rows = this.operations.get(service);
      let kept: Record<string, number> | undefined;
      for (const operation of Object.keys(operations)) {
        if (rows?.has(operation)) continue;
        (kept ??= dictionary<number>())[operation] = operations[operation];
        count++;
      }
      if (kept) left[service] = kept;
    }
    this.restored = left;
    this.restoredCopies = undefined;
    this.restoredCount = count;
  }

  forget(service: string, operation: string): void {
    const states = this.operations.get(service);
    const row = states?.get(operation);
    if (states && row !== undefined) {
      const state = this.state.at(row);
      if (state.errorsRestored) this.restoredErrors.keep(service, operation, state.errors);
      this.state.remove(row);
      states.delete(operation);
    }
    if (states?.size === 0) this.operations.delete(service);
    const restored = Object.hasOwn(this.restored, service) ? this.restored[service] : undefined;
    if (!restored || !Object.hasOwn(restored, operation)) return;
    const copied = this.restoredCopies;
    if (copied && !copied.has(service)) {
      // The caller's maps are not changed: the outer one is copied once, a service's own map
      // when an operation of it is first forgotten.
      if (copied.size === 0) this.restored = Object.assign(dictionary<Record<string, number>>(), this.restored);
      this.restored[service] = Object.assign(dictionary<number>(), restored);
      copied.add(service);
    }
    delete this.restored[service][operation];
    this.restoredCount--;
  }

  /** Folds `this.folded` into one operation's estimates; `serviceStates` are the service's rows, held in `operations`. */
  private foldOperation(
    service: string,
    serviceStates: Map<string, number>,
    operation: string,
    bucket: ThroughputBucket | PackedBucket,
    newest: boolean,
    fold: number,
  ): void {
    const { count, exact, recent, outcomes, errors, lowestReported } = this.folded;
    if (!(count > 0)) return;
    let row = serviceStates.get(operation);
    if (row === undefined) {
      row = this.state.add(bucket.intervalSeconds);
      this.state.errorsRestored = this.restoredErrors.copyTo(service, operation, this.state.errors);
      // A restored probability moves into the row, read from there at each fold: looked up by
      // name, a new leader's history of a large fleet spent ~7 % of its time finding it.
      if (this.restoredCount > 0) this.state.probability = this.known(service, operation, this.state) ?? NaN;
      serviceStates.set(operation, row);
    }
    const state = this.state.at(row);
    // The lowest probability its requests were sampled at: the one in effect, or any lower one
    // the spans reported. It bounds how noisy a count scaled up from sampled spans can be.
    const inEffect = Math.min(this.known(service, operation, state) ?? this.initialProbability, lowestReported);
    // The recent part's count and length as numbers (NaN: no recent part), not an object per operation.
    const recentSeconds = bucket.recentSeconds;
    state.estimate = state.estimator.observeCounts(count, bucket.intervalSeconds, inEffect, exact, recentSeconds ? recent : 0, recentSeconds ?? NaN);
    // A restored error baseline already holds the history loaded with it: only the newest bucket is new to it.
    if (newest || !state.errorsRestored) {
      state.errors.observeCounts(count, outcomes, errors, bucket.intervalSeconds);
    }
    state.idleBuckets = 0;
    state.lastFold = fold;
    state.lastSeconds = bucket.intervalSeconds;
  }

  /** The service's operations the bucket had no counts for: idle, or forgotten after long enough. */
  private foldIdle(service: string, rows: Map<string, number>, bucket: ThroughputBucket | PackedBucket, fold: number): void {
    // forEach, not entries: an entry array per operation was ~64 bytes of garbage each fold.
    rows.forEach((row, operation) => {
      const state = this.state.at(row);
      if (state.lastFold === fold) return;
      state.errors.observeNothing(bucket.intervalSeconds);
      const zero = state.estimator.observeNothing(bucket.intervalSeconds);
      if (zero) {
        state.estimate = zero;
        state.lastFold = fold;
        state.lastSeconds = bucket.intervalSeconds;
        return;
      }
      state.estimate = 'idle';
      state.estimator.pause();
      state.idleBuckets++;
      if (state.idleBuckets > this.tuning.idleRetentionBuckets) this.forget(service, operation);
    });
  }
}

const NO_OPERATIONS: PackedOperations = { ops: [], values: new Float64Array(0), lists: [] };

/** One operation's counts in a bucket, as `fold` reads them whichever form the bucket has. */
interface FoldedCounts {
  count: number;
  /** NaN where unknown. */
  exact: number;
  recent: number;
  outcomes: number;
  errors: number;
  /** The lowest probability reported with the counts (Infinity: none). */
  lowestReported: number;
}
