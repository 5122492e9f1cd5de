import type { OperationInputs } from './calculator';
import type { ErrorInputs } from './samplane/error-boost';
import { Columns } from './columns';
import { dictionary } from './dictionary';

type Boost = NonNullable<ErrorInputs['boost']>;

const ESTIMATES = ['first', 'smoothed', 'step', 'resumed', 'awaiting', 'idle'] as const;
type Estimate = (typeof ESTIMATES)[number];

/** Column order, also the stored explanation's after its traffic columns; NaN stands for "absent". */
export const INPUT = {
  previous: 0,
  target: 1,
  adaptive: 2,
  withinTolerance: 3,
  qps: 4,
  requestRate: 5,
  budget: 6,
  sharedTarget: 7,
  estimate: 8,
  errorRate: 9,
  errorsPerSecond: 10,
  baselineErrorRate: 11,
  baselineWeight: 12,
} as const;
export const INPUT_COLUMNS = 13;

/**
 * One service's calculation inputs as columns (see `Columns`). A large fleet's calculation
 * writes a million operations' inputs each interval; as objects they were ~340 bytes and a
 * dozen allocations each for the garbage collector to trace, here they are 104 bytes in one
 * array, and the stored explanation copies the columns as they are. Error boosts are rare and
 * kept as objects.
 */
export class InputColumns extends Columns {
  /** Boosted operations' boosts, by name. */
  readonly boosts = dictionary<Boost>();

  constructor(ops: string[], values?: Float64Array) {
    super(ops, INPUT_COLUMNS, values);
  }

  /** Row `row`'s estimate (see `OperationInputs.estimate`). */
  setEstimate(row: number, estimate: Estimate): void {
    this.values[INPUT.estimate * this.ops.length + row] = ESTIMATES.indexOf(estimate);
  }

  /** Row `row` as the object the explanation views and tests read; absent fields absent. */
  inputsAt(row: number): OperationInputs {
    const get = (column: number): number | undefined => {
      const value = this.get(column, row);
      return Number.isNaN(value) ? undefined : value;
    };
    const inputs: OperationInputs = {
      previous: get(INPUT.previous) ?? 0,
      target: get(INPUT.target) ?? 0,
      adaptive: get(INPUT.adaptive) === 1,
      withinTolerance: get(INPUT.withinTolerance) === 1,
    };
    for (const field of ['qps', 'requestRate', 'budget', 'sharedTarget'] as const) {
      const value = get(INPUT[field]);
      if (value !== undefined) inputs[field] = value;
    }
    const estimate = get(INPUT.estimate);
    if (estimate !== undefined && ESTIMATES[estimate]) inputs.estimate = ESTIMATES[estimate];
    const errors = this.errorsAt(row);
    if (errors) inputs.errors = errors;
    return inputs;
  }

  /** Row `row`'s error state (see `OperationInputs.errors`), undefined where it has none. */
  errorsAt(row: number): ErrorInputs | undefined {
    const errorRate = this.get(INPUT.errorRate, row);
    if (Number.isNaN(errorRate)) return undefined;
    const op = this.ops[row];
    const boost = Object.hasOwn(this.boosts, op) ? this.boosts[op] : undefined;
    const or0 = (value: number) => (Number.isNaN(value) ? 0 : value);
    return {
      errorRate,
      errorsPerSecond: or0(this.get(INPUT.errorsPerSecond, row)),
      baselineErrorRate: or0(this.get(INPUT.baselineErrorRate, row)),
      baselineWeight: or0(this.get(INPUT.baselineWeight, row)),
      ...(boost && { boost }),
    };
  }

  /** Every row as an object, by operation name. */
  toRecord(): Record<string, OperationInputs> {
    return this.byName((row) => this.inputsAt(row));
  }

  /** The columns of inputs given as objects (a `jaeger` calculation's, a test's). */
  static fromRecord(record: Record<string, OperationInputs>): InputColumns {
    const ops = Object.keys(record);
    const columns = new InputColumns(ops);
    ops.forEach((op, row) => {
      const input = record[op];
      columns.set(INPUT.previous, row, input.previous);
      columns.set(INPUT.target, row, input.target);
      columns.set(INPUT.adaptive, row, input.adaptive ? 1 : 0);
      columns.set(INPUT.withinTolerance, row, input.withinTolerance ? 1 : 0);
      columns.set(INPUT.qps, row, input.qps);
      columns.set(INPUT.requestRate, row, input.requestRate);
      columns.set(INPUT.budget, row, input.budget);
      columns.set(INPUT.sharedTarget, row, input.sharedTarget);
      if (input.estimate) columns.setEstimate(row, input.estimate);
      const errors = input.errors;
      if (!errors) return;
      columns.set(INPUT.errorRate, row, errors.errorRate);
      columns.set(INPUT.errorsPerSecond, row, errors.errorsPerSecond);
      columns.set(INPUT.baselineErrorRate, row, errors.baselineErrorRate);
      columns.set(INPUT.baselineWeight, row, errors.baselineWeight);
      if (errors.boost) columns.boosts[op] = errors.boost;
    });
    return columns;
  }
}

/**
 * Hands out many services' columns as parts of a few large arrays, reused from one calculation
 * to the next: at a large fleet's 10,000 services, an array each cost ~70 ms a calculation in
 * allocation alone, and a fresh 100 MiB block ~50 ms in page faults.
 */
export class ColumnSlab {
  private readonly blocks: Float64Array[] = [];
  private block = 0;
  private used = 0;

  /** Starts handing out from the beginning again: what was handed out before is overwritten. */
  rewind(): void {
    this.block = 0;
    this.used = 0;
  }

  /**
   * Columns for `ops`, not cleared: the caller writes every column of every row (`set` with
   * undefined writes "absent"). `rows` is about how many all the columns of this round take.
   */
  columns(ops: string[], rows: number): InputColumns {
    const size = ops.length * INPUT_COLUMNS;
    const current = this.blocks[this.block];
    if (current === undefined || this.used + size > current.length) {
      // On to the next block, replacing it when it is missing or too small for these columns.
      if (this.used > 0) this.block++;
      this.used = 0;
      const next = this.blocks[this.block];
      if (next === undefined || next.length < size) this.blocks[this.block] = new Float64Array(Math.max(size, rows * INPUT_COLUMNS));
    }
    const values = this.blocks[this.block].subarray(this.used, this.used + size);
    this.used += size;
    return new InputColumns(ops, values);
  }
}

/** One service's inputs, as a calculation hands them to the store: columns, or objects. */
export type ServiceInputs = InputColumns | Record<string, OperationInputs>;

export function inputColumns(inputs: ServiceInputs): InputColumns {
  return inputs instanceof InputColumns ? inputs : InputColumns.fromRecord(inputs);
}

/** Whether the error boost raises `operation` (read without making objects of columns). */
export function isBoosted(inputs: ServiceInputs | undefined, operation: string): boolean {
  if (!inputs) return false;
  if (inputs instanceof InputColumns) return Object.hasOwn(inputs.boosts, operation);
  return Object.hasOwn(inputs, operation) && inputs[operation].errors?.boost !== undefined;
}

/** Every service's inputs as objects (a store that hands out copies, a test). */
export function inputRecords(inputs: Record<string, ServiceInputs>): Record<string, Record<string, OperationInputs>> {
  const records = dictionary<Record<string, OperationInputs>>();
  for (const [service, given] of Object.entries(inputs)) records[service] = inputColumns(given).toRecord();
  return records;
}

/**
 * One service's QPS per operation, as a calculation hands it on: a record, or inputs columns
 * whose `qps` column holds it. `samplane` hands its columns: at a million operations the records
 * cost a quarter of its calculation, built and then held until the save.
 */
export type ServiceQps = InputColumns | Record<string, number>;

/** The QPS of one operation, undefined where the service has no such operation. */
export function qpsOf(qps: ServiceQps | undefined, operation: string): number | undefined {
  if (!qps) return undefined;
  if (!(qps instanceof InputColumns)) return Object.hasOwn(qps, operation) ? qps[operation] : undefined;
  const row = qps.rowOf(operation);
  return row === undefined ? undefined : qps.get(INPUT.qps, row);
}

/** One service's QPS as a record by operation (what is stored and served). */
export function qpsRecord(qps: ServiceQps): Record<string, number> {
  if (!(qps instanceof InputColumns)) return qps;
  const record = dictionary<number>();
  const column = qps.column(INPUT.qps);
  qps.ops.forEach((op, row) => (record[op] = column[row]));
  return record;
}

/** Every service's QPS as records, those given as records as they are (for a store, a replay's output). */
export function qpsRecords(qps: Record<string, ServiceQps>): Record<string, Record<string, number>> {
  const records = dictionary<Record<string, number>>();
  for (const [service, given] of Object.entries(qps)) records[service] = qpsRecord(given);
  return records;
}
