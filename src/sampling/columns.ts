import { dictionary } from './dictionary';

/**
 * One service's numbers per operation as columns: an operation is a row, each field a column of
 * one Float64Array (column-major), NaN where a value is absent. A large fleet's calculation
 * holds a million operations' numbers; as objects each double is a heap allocation of its own.
 */
export abstract class Columns {
  readonly values: Float64Array;
  private index: Map<string, number> | undefined;

  constructor(
    /** Operation names, in row order. */
    readonly ops: string[],
    width: number,
    values?: Float64Array,
  ) {
    this.values = values ?? new Float64Array(ops.length * width).fill(Number.NaN);
  }

  get size(): number {
    return this.ops.length;
  }

  /** One column's rows. */
  column(column: number): Float64Array {
    return this.values.subarray(column * this.ops.length, (column + 1) * this.ops.length);
  }

  get(column: number, row: number): number {
    return this.values[column * this.ops.length + row];
  }

  /** Sets one value; undefined sets it absent. */
  set(column: number, row: number, value: number | undefined): void {
    this.values[column * this.ops.length + row] = value ?? Number.NaN;
  }

  /** Every row made into an object by `at`, by operation name. */
  protected byName<T>(at: (row: number) => T): Record<string, T> {
    const record = dictionary<T>();
    this.ops.forEach((op, row) => (record[op] = at(row)));
    return record;
  }

  /** The row of `operation`, if it has one; the index is built on the first call. */
  rowOf(operation: string): number | undefined {
    this.index ??= new Map(this.ops.map((op, row) => [op, row]));
    return this.index.get(operation);
  }
}
