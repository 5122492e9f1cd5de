import { unionProbabilities } from '../sampling/throughput';
import { COUNTS_PER_OPERATION, type FlushLineScanner } from './flush-line-scanner';

/** Where each of an operation's numbers is in its row: a flush line's order. */
export const COUNT = { sampled: 0, requests: 1, exact: 2, errors: 3, outcomes: 4 } as const;

/**
 * One service's operations: row `i` is `ops[i]`, its numbers at `i * COUNTS_PER_OPERATION`
 * (`values` may hold room for more rows than `ops` names).
 */
export interface ServiceCounts {
  ops: string[];
  values: Float64Array;
  lists: Array<readonly string[]>;
}

/**
 * One interval's counts as columns, read straight from the lines: a service's names, one
 * Float64Array and the lists the scanner already held. A kept interval is one line per service,
 * so a line becomes its service's rows in one copy, with no object per operation: a new
 * leader's ten intervals of a million operations were ten million objects for the collector.
 */
export class PackedCounts {
  readonly services = new Map<string, ServiceCounts>();
  /** Operations over all services. */
  size = 0;
  /** Per service merged into (a second line, a repeated name), its rows by name. */
  private rows = new Map<string, Map<string, number>>();
  private readonly seen = new Set<string>();

  /** The scanned line's operations, each number times `share`. */
  addLine(line: FlushLineScanner, share: number): void {
    const n = line.operationCount;
    if (this.services.has(line.service) || !this.distinct(line)) {
      for (let i = 0; i < n; i++) {
        const at = i * COUNTS_PER_OPERATION;
        this.add(line.service, line.operations[i], line.lists[i], (k) => line.counts[at + k] * share);
      }
      return;
    }
    const values = new Float64Array(n * COUNTS_PER_OPERATION);
    for (let k = 0; k < values.length; k++) values[k] = finite(line.counts[k]) * share;
    this.services.set(line.service, { ops: line.operations.slice(0, n), values, lists: line.lists.slice(0, n) });
    this.size += n;
  }

  /** One operation's numbers (`value(k)` for column `k`), added to its row or in a new one. */
  add(service: string, operation: string, list: readonly string[], value: (column: number) => number): void {
    let counts = this.services.get(service);
    if (!counts) {
      counts = { ops: [], values: new Float64Array(0), lists: [] };
      this.services.set(service, counts);
    }
    const rows = this.rowsOf(service, counts);
    let row = rows.get(operation);
    if (row === undefined) {
      row = counts.ops.length;
      rows.set(operation, row);
      counts.ops.push(operation);
      counts.lists.push(list);
      if (counts.values.length < (row + 1) * COUNTS_PER_OPERATION) {
        // Doubled: a service built name by name (lines in another form) is not copied per name.
        const grown = new Float64Array(Math.max(2 * counts.values.length, (row + 1) * COUNTS_PER_OPERATION));
        grown.set(counts.values);
        counts.values = grown;
      }
      this.size++;
    } else {
      counts.lists[row] = unionProbabilities(counts.lists[row], list);
    }
    for (let k = 0; k < COUNTS_PER_OPERATION; k++) counts.values[row * COUNTS_PER_OPERATION + k] += finite(value(k));
  }

  private rowsOf(service: string, counts: ServiceCounts): Map<string, number> {
    let rows = this.rows.get(service);
    if (!rows) {
      rows = new Map(counts.ops.map((op, row) => [op, row]));
      this.rows.set(service, rows);
    }
    return rows;
  }

  /** Whether no name repeats in the line (one repeated is summed into one row, as elsewhere). */
  private distinct(line: FlushLineScanner): boolean {
    const seen = this.seen;
    seen.clear();
    for (let i = 0; i < line.operationCount; i++) {
      if (seen.has(line.operations[i])) return false;
      seen.add(line.operations[i]);
    }
    return true;
  }
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
