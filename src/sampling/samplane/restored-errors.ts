import { ERROR_COLUMNS, type ErrorInputs, ErrorTracker } from './error-boost';
import { StateTable } from './state-table';

/**
 * Error state a previous leader recorded, per service and operation, until the calculation
 * that takes each operation up. Held in a table of its own, as the fleet restored may be large.
 */
export class RestoredErrors {
  /** service → operation → row of `table`. */
  private rows = new Map<string, Map<string, number>>();
  private table = new StateTable(ERROR_COLUMNS);
  private tracker = new ErrorTracker(this.table);

  /** Room for `rows` operations in all, in one step (see `StateTable.reserve`). */
  reserve(rows: number): void {
    this.table.reserve(rows);
  }

  set(service: string, operation: string, inputs: ErrorInputs, elapsedSeconds: number): void {
    let operations = this.rows.get(service);
    if (!operations) {
      operations = new Map();
      this.rows.set(service, operations);
    }
    const row = operations.get(operation) ?? this.table.add();
    operations.set(operation, row);
    this.tracker.at(row).load(inputs, elapsedSeconds);
  }

  has(service: string, operation: string): boolean {
    return this.rows.get(service)?.has(operation) ?? false;
  }

  /** Sets `tracker` to the operation's restored state, if it has one. */
  copyTo(service: string, operation: string, tracker: ErrorTracker): void {
    const row = this.rows.get(service)?.get(operation);
    if (row !== undefined) tracker.copyFrom(this.tracker.at(row));
  }

  /**
   * Keeps `tracker`'s state as the operation's restored one: an operation forgotten and seen
   * again within the calculation that restores it goes on from where it was.
   */
  keep(service: string, operation: string, tracker: ErrorTracker): void {
    const row = this.rows.get(service)?.get(operation);
    if (row !== undefined) this.tracker.at(row).copyFrom(tracker);
  }

  clear(): void {
    if (this.rows.size === 0) return;
    this.rows = new Map();
    this.table = new StateTable(ERROR_COLUMNS);
    this.tracker = new ErrorTracker(this.table);
  }
}
