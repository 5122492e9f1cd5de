/**
 * Rows of numbers of a fixed width in one growable Float64Array, one row per operation, and
 * beside them, where the holder has any, a byte per flag or small enum in a Uint8Array. V8
 * keeps each double field of an object as a heap object of its own; a million operations with
 * dozens of fields each are better held here. Number columns use NaN for undefined; a flag
 * costs a byte rather than a double's eight (~50 MiB at a million operations).
 */
export class StateTable {
  /** Row-major. Replaced when the table grows: read it afresh after `add`. */
  values: Float64Array;
  /** Row-major, `flagWidth` bytes a row; replaced with `values`. */
  flags: Uint8Array;
  /** Removed rows, reused before the table grows. */
  private readonly free: number[] = [];
  /** Rows handed out so far, removed ones included. */
  private used = 0;
  /** Rows the arrays have room for. */
  private capacity: number;

  constructor(
    readonly width: number,
    capacity = 1,
    readonly flagWidth = 0,
  ) {
    this.capacity = Math.max(1, capacity);
    this.values = new Float64Array(width * this.capacity);
    this.flags = new Uint8Array(flagWidth * this.capacity);
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
    if (row + 1 > this.capacity) this.growTo(Math.max(row + 1, Math.ceil(this.capacity * 1.5)));
    return row;
  }

  /**
   * Room for `rows` rows in all, in one step: a new leader's first calculation over a million
   * operations otherwise grows the table two dozen times, copying it each time.
   */
  reserve(rows: number): void {
    if (rows > this.capacity) this.growTo(rows);
  }

  private growTo(rows: number): void {
    const values = new Float64Array(rows * this.width);
    values.set(this.values);
    this.values = values;
    const flags = new Uint8Array(rows * this.flagWidth);
    flags.set(this.flags);
    this.flags = flags;
    this.capacity = rows;
  }

  remove(row: number): void {
    this.free.push(row);
  }
}

/** How many columns of each kind a view takes in its table's rows. */
export interface RowShape {
  numbers: number;
  flags: number;
}

/**
 * A view of its class's columns — number columns from `column.numbers` on, flags from
 * `column.flags` on — in whichever row of a table `at` last moved it to. Alone (no table
 * given), it keeps one row in a table of its own.
 */
export abstract class RowView {
  protected readonly table: StateTable;
  /** Index in `table.values` of the view's first number column in the current row. */
  protected offset = 0;
  /** Index in `table.flags` of the view's first flag in the current row. */
  protected flagOffset = 0;
  // Plain numbers, not the shape object: `at` runs for every operation of every fold.
  private readonly numbersAt: number;
  private readonly flagsAt: number;

  constructor(shape: RowShape, table: StateTable | undefined, column?: RowShape) {
    this.table = table ?? new StateTable(shape.numbers, 1, shape.flags);
    this.numbersAt = column?.numbers ?? 0;
    this.flagsAt = column?.flags ?? 0;
    if (!table) this.at(this.table.add()).reset();
  }

  /** Moves the view to `row`. */
  at(row: number): this {
    this.offset = row * this.table.width + this.numbersAt;
    this.flagOffset = row * this.table.flagWidth + this.flagsAt;
    return this;
  }

  /** Starts the current row over, as before anything was seen. */
  abstract reset(): void;
}
