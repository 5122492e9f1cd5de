/**
 * Rows of numbers of a fixed width in one growable Float64Array, one row per operation. V8
 * keeps each double field of an object as a heap object of its own; a million operations with
 * dozens of fields each are better held here. Columns use NaN for undefined and 0/1 for booleans.
 */
export class StateTable {
  /** Row-major. Replaced when the table grows: read it afresh after `add`. */
  values: Float64Array;
  /** Removed rows, reused before the table grows. */
  private readonly free: number[] = [];
  /** Rows handed out so far, removed ones included. */
  private used = 0;

  constructor(
    readonly width: number,
    capacity = 1,
  ) {
    this.values = new Float64Array(width * Math.max(1, capacity));
  }

  /** Rows in use. */
  get size(): number {
    return this.used - this.free.length;
  }

  /** A row for a new holder, which sets all its columns: a reused row holds its old values. */
  add(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const row = this.used++;
    // Half again rather than double: at a million rows the slack is what costs.
    if ((row + 1) * this.width > this.values.length) this.growTo(Math.max((row + 1) * this.width, Math.ceil(this.values.length * 1.5)));
    return row;
  }

  /**
   * Room for `rows` rows in all, in one step: a new leader's first calculation over a million
   * operations otherwise grows the table two dozen times, copying it each time.
   */
  reserve(rows: number): void {
    if (rows * this.width > this.values.length) this.growTo(rows * this.width);
  }

  private growTo(length: number): void {
    const grown = new Float64Array(length);
    grown.set(this.values);
    this.values = grown;
  }

  remove(row: number): void {
    this.free.push(row);
  }
}

/**
 * A view of its class's columns, from `column` on, in whichever row of a table `at` last moved
 * it to. Alone (no table given), it keeps one row in a table of its own.
 */
export abstract class RowView {
  protected readonly table: StateTable;
  /** Index in `table.values` of the view's first column in the current row. */
  protected offset = 0;

  constructor(
    width: number,
    table: StateTable | undefined,
    private readonly column: number,
  ) {
    this.table = table ?? new StateTable(width);
    if (!table) this.at(this.table.add()).reset();
  }

  /** Moves the view to `row`. */
  at(row: number): this {
    this.offset = row * this.table.width + this.column;
    return this;
  }

  /** Starts the current row over, as before anything was seen. */
  abstract reset(): void;
}
