import { NO_PROBABILITIES, lowestProbability, unionProbabilities } from '../sampling/throughput';
import { COUNTS_PER_OPERATION, type FlushLineScanner } from './flush-line-scanner';

/**
 * Where each of an operation's numbers is in its row: a flush line's order, then the recent
 * part's requests, then the lowest probability in its list (summed lines: the lowest of all).
 */
export const COUNT = { sampled: 0, requests: 1, exact: 2, errors: 3, outcomes: 4, recent: 5, lowest: 6 } as const;
/** Numbers per operation: a row's length in `ServiceCounts.values`. */
export const COUNT_WIDTH = 7;

/**
 * One service's operations: row `i` is `ops[i]`, its numbers at `i * COUNT_WIDTH` (`values`
 * may hold room for more rows than `ops` names).
 */
export interface ServiceCounts {
  ops: string[];
  values: Float64Array;
  /** Each row's probabilities list; `NO_PROBABILITIES` each where it was read without them. */
  lists: Array<readonly string[]>;
}

/**
 * One interval's counts as columns, read straight from the lines: a service's names, one
 * Float64Array and the lists the scanner already held. A service's first line becomes its rows
 * in one copy, later lines are summed into them, and no operation gets an object of its own:
 * as maps of objects, an interval of a million operations was a million objects (~200 bytes
 * each, their numbers boxed) for the collector at every calculation and in every new leader's
 * history.
 */
export class PackedCounts {
  readonly services = new Map<string, ServiceCounts>();
  /** Operations over all services. */
  size = 0;
  /** Per service, once an operation came out of its row's position (or through `add`), its rows by name. */
  private readonly rows = new Map<string, Map<string, number>>();
  private readonly seen = new Set<string>();

  /**
   * The scanned line's operations, each number times `share`, and each one's requests times
   * `recentShare` as its recent part.
   */
  addLine(line: FlushLineScanner, share: number, recentShare = 0): void {
    const n = line.operationCount;
    // A line without operations counts nothing: its service gets no rows, as none of objects.
    if (n === 0) return;
    const counts = line.counts;
    const known = this.services.get(line.service);
    if (known || !this.distinct(line)) {
      const into = known ?? this.service(line.service);
      // A service's lines mostly list its operations in one order: an operation at its row's
      // position is summed there, and the service's map of rows is made only when one is not
      // (the maps were ~35 MiB at a million operations, and a lookup per operation per line).
      let rows: Map<string, number> | undefined;
      for (let i = 0; i < n; i++) {
        const at = i * COUNTS_PER_OPERATION;
        const operation = line.operations[i];
        let row: number;
        if (into.ops[i] === operation) row = this.listUnited(into, i, line.lists[i]);
        else row = this.row(into, (rows ??= this.rowsOf(line.service, into)), operation, line.lists[i]);
        const values = into.values;
        const to = row * COUNT_WIDTH;
        for (let k = 0; k < COUNTS_PER_OPERATION; k++) values[to + k] += finite(counts[at + k]) * share;
        values[to + COUNT.recent] += finite(counts[at + COUNT.requests]) * recentShare;
        values[to + COUNT.lowest] = Math.min(values[to + COUNT.lowest], line.lowest[i]);
      }
      return;
    }
    const values = new Float64Array(n * COUNT_WIDTH);
    for (let i = 0; i < n; i++) {
      const at = i * COUNTS_PER_OPERATION;
      const to = i * COUNT_WIDTH;
      for (let k = 0; k < COUNTS_PER_OPERATION; k++) values[to + k] = finite(counts[at + k]) * share;
      values[to + COUNT.recent] = finite(counts[at + COUNT.requests]) * recentShare;
      values[to + COUNT.lowest] = line.lowest[i];
    }
    this.services.set(line.service, { ops: line.operations.slice(0, n), values, lists: line.lists.slice(0, n) });
    this.size += n;
  }

  /**
   * One operation's numbers (the line's five, then the recent part's requests), summed into its
   * row, and its list's lowest probability into `COUNT.lowest`; `lists: false` keeps no list.
   */
  add(service: string, operation: string, list: readonly string[], numbers: readonly number[], lists = true): void {
    const into = this.services.get(service) ?? this.service(service);
    const row = this.row(into, this.rowsOf(service, into), operation, lists ? list : NO_PROBABILITIES);
    const at = row * COUNT_WIDTH;
    for (let k = 0; k < COUNT.lowest; k++) into.values[at + k] += finite(numbers[k] ?? 0);
    into.values[at + COUNT.lowest] = Math.min(into.values[at + COUNT.lowest], lowestProbability(list));
  }

  private service(name: string): ServiceCounts {
    const counts: ServiceCounts = { ops: [], values: new Float64Array(0), lists: [] };
    this.services.set(name, counts);
    return counts;
  }

  /** The operation's row, added (zeroed, `lowest` Infinity, holding `list`) if new, its list the union if not. */
  private row(counts: ServiceCounts, rows: Map<string, number>, operation: string, list: readonly string[]): number {
    const row = rows.get(operation);
    if (row !== undefined) return this.listUnited(counts, row, list);
    const added = counts.ops.length;
    rows.set(operation, added);
    counts.ops.push(operation);
    counts.lists.push(list);
    if (counts.values.length < (added + 1) * COUNT_WIDTH) {
      // Doubled: a service built name by name is not copied per name.
      const grown = new Float64Array(Math.max(2 * counts.values.length, (added + 1) * COUNT_WIDTH));
      grown.set(counts.values);
      counts.values = grown;
    }
    counts.values[added * COUNT_WIDTH + COUNT.lowest] = Infinity;
    this.size++;
    return added;
  }

  /** `row`, an operation's own (names do not repeat in `ops`), its list now the union with `list`. */
  private listUnited(counts: ServiceCounts, row: number, list: readonly string[]): number {
    counts.lists[row] = unionProbabilities(counts.lists[row], list);
    return row;
  }

  private rowsOf(service: string, counts: ServiceCounts): Map<string, number> {
    let rows = this.rows.get(service);
    if (!rows) {
      rows = new Map(counts.ops.map((op, row) => [op, row]));
      this.rows.set(service, rows);
    }
    return rows;
  }

  /** Whether no name repeats in the line (a repeated one is summed into one row). */
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
