import { INPUT, type InputColumns } from '../input-columns';
import { ERROR_SHAPE, type ErrorInputs, ErrorTracker } from './error-boost';
import { StateTable } from './state-table';

/**
 * Error state a previous leader recorded, per service and operation, until the calculation
 * that takes each operation up. A service's is held as the input columns it was restored from,
 * and made into tracker state as each operation is first folded: a million operations' state
 * made up front was a table of 150 MiB, written all at once, beside the columns it came from.
 */
export class RestoredErrors {
  /** service → the columns its operations' state is made from, and how long ago they were recorded. */
  private columns = new Map<string, { columns: InputColumns; elapsedSeconds: number }>();
  /** service → operation → row of `table`: state given one at a time, or kept back. */
  private rows = new Map<string, Map<string, number>>();
  private table = new StateTable(ERROR_SHAPE.numbers, 1, ERROR_SHAPE.flags);
  private tracker = new ErrorTracker(this.table);

  /** Every operation of `columns` with error inputs, `elapsedSeconds` after they were recorded. */
  setAll(service: string, columns: InputColumns, elapsedSeconds: number): void {
    this.columns.set(service, { columns, elapsedSeconds });
    this.rows.delete(service);
  }

  set(service: string, operation: string, inputs: ErrorInputs, elapsedSeconds: number): void {
    this.tracker.at(this.rowFor(service, operation)).load(inputs, elapsedSeconds);
  }

  has(service: string, operation: string): boolean {
    return this.rows.get(service)?.has(operation) === true || this.columnRow(service, operation) !== undefined;
  }

  /** Sets `tracker` to the operation's restored state, if it has one; whether it had. */
  copyTo(service: string, operation: string, tracker: ErrorTracker): boolean {
    const row = this.rows.get(service)?.get(operation);
    if (row !== undefined) {
      tracker.copyFrom(this.tracker.at(row));
      return true;
    }
    const at = this.columnRow(service, operation);
    const restored = this.columns.get(service);
    const inputs = at === undefined ? undefined : restored?.columns.errorsAt(at);
    if (!restored || !inputs) return false;
    tracker.load(inputs, restored.elapsedSeconds);
    return true;
  }

  /**
   * Keeps `tracker`'s state, restored before, as the operation's restored one: an operation
   * forgotten and seen again within the calculation that restores it goes on from where it was.
   */
  keep(service: string, operation: string, tracker: ErrorTracker): void {
    this.tracker.at(this.rowFor(service, operation)).copyFrom(tracker);
  }

  /** The services whose state is still held as the columns it was restored from. */
  services(): string[] {
    return [...this.columns.keys()];
  }

  /**
   * Lets go of the service's columns if `taken` says each of its operations has its state:
   * nothing is made from them again (state kept back by `keep` is not in them).
   */
  release(service: string, taken: (operation: string) => boolean): void {
    if (this.columns.get(service)?.columns.ops.every(taken)) this.columns.delete(service);
  }

  clear(): void {
    if (this.rows.size === 0 && this.columns.size === 0) return;
    this.columns = new Map();
    this.rows = new Map();
    this.table = new StateTable(ERROR_SHAPE.numbers, 1, ERROR_SHAPE.flags);
    this.tracker = new ErrorTracker(this.table);
  }

  /** The operation's row in `columns`, where it has error inputs there (see `errorsAt`). */
  private columnRow(service: string, operation: string): number | undefined {
    const columns = this.columns.get(service)?.columns;
    const row = columns?.rowOf(operation);
    return columns && row !== undefined && !Number.isNaN(columns.get(INPUT.errorRate, row)) ? row : undefined;
  }

  private rowFor(service: string, operation: string): number {
    let operations = this.rows.get(service);
    if (!operations) {
      operations = new Map();
      this.rows.set(service, operations);
    }
    let row = operations.get(operation);
    if (row === undefined) {
      row = this.table.add();
      operations.set(operation, row);
    }
    return row;
  }
}
