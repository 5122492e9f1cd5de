import { ERROR_SHAPE, ErrorTracker } from './error-boost';
import { type EstimateKind, RATE_SHAPE, RateEstimator, type RateEstimatorTuning } from './rate-estimator';
import { type RowShape, StateTable } from './state-table';

/** How the newest bucket was folded in; `idle` when it had no requests. */
export type OperationEstimate = EstimateKind | 'idle';

const ESTIMATES: readonly OperationEstimate[] = ['first', 'smoothed', 'step', 'resumed', 'awaiting', 'idle'];

// Number columns of an operation's row: its own, then its estimator's, then its error tracker's.
const IDLE_BUCKETS = 0;
const LAST_FOLD = 1;
const LAST_SECONDS = 2;
const RAISED_FROM = 3; // NaN when not raised
const PROBABILITY = 4; // NaN until calculated
// Its flags, in the same order: the estimate's kind (an index of ESTIMATES), whether active, and
// whether its error state was restored (see `errorsRestored`).
const ESTIMATE = 0;
const WAS_ACTIVE = 1;
const ERRORS_RESTORED = 2;
/** Where the estimator's columns start, after the operation's own; then the error tracker's. */
const ESTIMATOR: RowShape = { numbers: PROBABILITY + 1, flags: ERRORS_RESTORED + 1 };
const ERRORS: RowShape = { numbers: ESTIMATOR.numbers + RATE_SHAPE.numbers, flags: ESTIMATOR.flags + RATE_SHAPE.flags };
const COLUMNS = ERRORS.numbers + ERROR_SHAPE.numbers;
const FLAGS = ERRORS.flags + ERROR_SHAPE.flags;

/**
 * What an operation's row saves for a new leader (see `saveTo`): its own idle count, last
 * bucket's length and raised-from, then its estimator's and its error tracker's numbers; its
 * estimate and whether active, then their flags. Not saved: the probability (the snapshot has
 * it) and the fold it was last seen in (a count of this calculator's own).
 */
export const SAVED_ROW: RowShape = { numbers: 3 + COLUMNS - ESTIMATOR.numbers, flags: 2 + FLAGS - ESTIMATOR.flags };
/**
 * The saved rows' layout, as stored: a new leader takes up only rows of its own. Its version
 * goes up with any change to the columns' order or meaning (the estimate kinds' order
 * included), not only with their count, which it also names.
 */
export const SAVED_LAYOUT = `samplane/1 ${SAVED_ROW.numbers}x${SAVED_ROW.flags}`;

/**
 * What the calculator knows of its operations between calculations, one table row each: an
 * operation is a row number, and this is a view of whichever row `at` last moved it to (its
 * estimator and error tracker with it). Nothing is allocated per operation or per bucket.
 */
export class OperationState {
  readonly estimator: RateEstimator;
  readonly errors: ErrorTracker;
  private readonly table = new StateTable(COLUMNS, 64, FLAGS);
  /** Index in `table.values` of the current row. */
  private offset = 0;
  /** Index in `table.flags` of the current row. */
  private flagOffset = 0;

  constructor(tuning: RateEstimatorTuning) {
    this.estimator = new RateEstimator(tuning, this.table, ESTIMATOR);
    this.errors = new ErrorTracker(this.table, ERRORS);
  }

  /** Operations held. */
  get size(): number {
    return this.table.size;
  }

  /** A row for a new operation, first seen in a bucket of `seconds`; the view is moved to it. */
  add(seconds: number): number {
    const row = this.table.add();
    this.at(row);
    this.idleBuckets = 0;
    this.estimate = 'first';
    this.lastFold = 0;
    this.lastSeconds = seconds;
    this.wasActive = false;
    this.errorsRestored = false;
    this.raisedFrom = undefined;
    this.probability = NaN;
    this.estimator.reset();
    this.errors.reset();
    return row;
  }

  /**
   * A row for an operation a previous leader saved, set from row `i` of `numbers` and `flags`
   * (see `saveTo`); the view is moved to it. Every column is set once: a new leader takes a
   * million of them up, and resetting each first was a fifth of that.
   */
  addSaved(numbers: Float64Array, flags: Uint8Array, i: number): number {
    const row = this.table.add();
    this.at(row);
    this.lastFold = 0;
    this.probability = NaN;
    this.loadFrom(numbers, flags, i);
    return row;
  }

  /** Room for `rows` operations in all (see `StateTable.reserve`); the view must be moved after. */
  reserve(rows: number): void {
    this.table.reserve(rows);
  }

  /** Frees the row of a forgotten operation, for the next new one. */
  remove(row: number): void {
    this.table.remove(row);
  }

  /** Moves the view, and its estimator and error tracker, to `row`. */
  at(row: number): this {
    this.offset = row * COLUMNS;
    this.flagOffset = row * FLAGS;
    this.estimator.at(row);
    this.errors.at(row);
    return this;
  }

  /** Writes the current row's saved columns (see `SAVED_ROW`) into row `i` of `numbers` and `flags`. */
  saveTo(numbers: Float64Array, flags: Uint8Array, i: number): void {
    const v = this.table.values;
    const f = this.table.flags;
    const at = i * SAVED_ROW.numbers;
    const flagAt = i * SAVED_ROW.flags;
    numbers[at] = v[this.offset + IDLE_BUCKETS];
    numbers[at + 1] = v[this.offset + LAST_SECONDS];
    numbers[at + 2] = v[this.offset + RAISED_FROM];
    // The estimator's columns, then the error tracker's, to the row's end.
    numbers.set(v.subarray(this.offset + ESTIMATOR.numbers, this.offset + COLUMNS), at + 3);
    flags[flagAt] = f[this.flagOffset + ESTIMATE];
    flags[flagAt + 1] = f[this.flagOffset + WAS_ACTIVE];
    flags.set(f.subarray(this.flagOffset + ESTIMATOR.flags, this.flagOffset + FLAGS), flagAt + 2);
  }

  /** Sets the current row's saved columns from row `i` of `numbers` and `flags` (see `saveTo`): a row as the saving leader had it. */
  private loadFrom(numbers: Float64Array, flags: Uint8Array, i: number): void {
    const v = this.table.values;
    const f = this.table.flags;
    const at = i * SAVED_ROW.numbers;
    const flagAt = i * SAVED_ROW.flags;
    v[this.offset + IDLE_BUCKETS] = numbers[at];
    v[this.offset + LAST_SECONDS] = numbers[at + 1];
    v[this.offset + RAISED_FROM] = numbers[at + 2];
    v.set(numbers.subarray(at + 3, at + SAVED_ROW.numbers), this.offset + ESTIMATOR.numbers);
    // An estimate this version does not name is taken as a first sight.
    f[this.flagOffset + ESTIMATE] = flags[flagAt] < ESTIMATES.length ? flags[flagAt] : 0;
    f[this.flagOffset + WAS_ACTIVE] = flags[flagAt + 1] === 1 ? 1 : 0;
    // Its error state is the last leader's exactly: every bucket from now on is new to it.
    f[this.flagOffset + ERRORS_RESTORED] = 0;
    f.set(flags.subarray(flagAt + 2, flagAt + SAVED_ROW.flags), this.flagOffset + ESTIMATOR.flags);
  }

  /** Buckets in a row without requests. */
  get idleBuckets(): number {
    return this.table.values[this.offset + IDLE_BUCKETS];
  }

  set idleBuckets(buckets: number) {
    this.table.values[this.offset + IDLE_BUCKETS] = buckets;
  }

  /** How the newest bucket was folded in; `idle` when it had no requests. */
  get estimate(): OperationEstimate {
    return ESTIMATES[this.table.flags[this.flagOffset + ESTIMATE]];
  }

  set estimate(estimate: OperationEstimate) {
    this.table.flags[this.flagOffset + ESTIMATE] = ESTIMATES.indexOf(estimate);
  }

  /** The fold that last saw requests (the calculator's count of folded buckets). */
  get lastFold(): number {
    return this.table.values[this.offset + LAST_FOLD];
  }

  set lastFold(fold: number) {
    this.table.values[this.offset + LAST_FOLD] = fold;
  }

  /** Length of the last bucket with requests, in seconds. */
  get lastSeconds(): number {
    return this.table.values[this.offset + LAST_SECONDS];
  }

  set lastSeconds(seconds: number) {
    this.table.values[this.offset + LAST_SECONDS] = seconds;
  }

  /** Whether the previous calculation saw it active. */
  get wasActive(): boolean {
    return this.table.flags[this.flagOffset + WAS_ACTIVE] === 1;
  }

  set wasActive(active: boolean) {
    this.table.flags[this.flagOffset + WAS_ACTIVE] = active ? 1 : 0;
  }

  /**
   * Whether its error state is a previous leader's, taken up in this term before its first
   * calculation ended: that state already holds the history a new leader folds, so only the
   * newest bucket is new to it.
   */
  get errorsRestored(): boolean {
    return this.table.flags[this.flagOffset + ERRORS_RESTORED] === 1;
  }

  set errorsRestored(restored: boolean) {
    this.table.flags[this.flagOffset + ERRORS_RESTORED] = restored ? 1 : 0;
  }

  /** The probability last calculated for it, or restored for it before that (NaN: neither). */
  get probability(): number {
    return this.table.values[this.offset + PROBABILITY];
  }

  set probability(p: number) {
    this.table.values[this.offset + PROBABILITY] = p;
  }

  /** The probability the previous calculation raised it from, if it raised it. */
  get raisedFrom(): number | undefined {
    const from = this.table.values[this.offset + RAISED_FROM];
    return Number.isNaN(from) ? undefined : from;
  }

  set raisedFrom(from: number | undefined) {
    this.table.values[this.offset + RAISED_FROM] = from ?? NaN;
  }
}

/**
 * The operations beyond the `max` busiest, to be dropped. Busiest means active first (an idle
 * operation's rate is stale), then by estimated request rate; names break ties, so the choice
 * does not depend on the order operations were first seen.
 */
export function operationsOverCap(operations: ReadonlyMap<string, number>, state: OperationState, max: number): string[] {
  if (operations.size <= max) return [];
  const ranked = [...operations].map(([name, row]) => {
    state.at(row);
    return { name, idle: state.estimate === 'idle', rate: state.estimator.rate ?? 0 };
  });
  ranked.sort(
    (x, y) =>
      Number(x.idle) - Number(y.idle) || y.rate - x.rate || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
  );
  return ranked.slice(max).map(({ name }) => name);
}
