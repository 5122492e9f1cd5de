import { Columns } from '../sampling/columns';
import { dictionary } from '../sampling/dictionary';
import type { OperationTraffic } from './store';

/** Column order, also the stored explanation's first columns; NaN stands for "absent". */
export const TRAFFIC = { requestsPerSecond: 0, sampledPerSecond: 1, errorsPerSecond: 2, errorRate: 3 } as const;
export const TRAFFIC_COLUMNS = 4;

/**
 * One service's traffic in the newest bucket as columns (see `Columns`): what a calculation
 * saves for the explanations and the history, a million operations at a large fleet's size,
 * without four boxed numbers and an object each.
 */
export class TrafficColumns extends Columns {
  constructor(ops: string[], values?: Float64Array) {
    super(ops, TRAFFIC_COLUMNS, values);
  }

  /** Row `row` as the object the views read; `errorsPerSecond` absent where it is. */
  trafficAt(row: number): OperationTraffic {
    const errorsPerSecond = this.get(TRAFFIC.errorsPerSecond, row);
    return {
      requestsPerSecond: this.get(TRAFFIC.requestsPerSecond, row),
      sampledPerSecond: this.get(TRAFFIC.sampledPerSecond, row),
      ...(!Number.isNaN(errorsPerSecond) && { errorsPerSecond }),
      errorRate: this.get(TRAFFIC.errorRate, row),
    };
  }

  /** The sum of one column over every row. */
  total(column: number): number {
    let sum = 0;
    for (const value of this.column(column)) sum += value;
    return sum;
  }

  toRecord(): Record<string, OperationTraffic> {
    return this.byName((row) => this.trafficAt(row));
  }

  static fromRecord(record: Record<string, OperationTraffic>): TrafficColumns {
    const ops = Object.keys(record);
    const columns = new TrafficColumns(ops);
    ops.forEach((op, row) => {
      const t = record[op];
      columns.set(TRAFFIC.requestsPerSecond, row, t.requestsPerSecond);
      columns.set(TRAFFIC.sampledPerSecond, row, t.sampledPerSecond);
      columns.set(TRAFFIC.errorsPerSecond, row, t.errorsPerSecond);
      columns.set(TRAFFIC.errorRate, row, t.errorRate);
    });
    return columns;
  }
}

/** One service's traffic, as a calculation hands it to the store: columns, or objects. */
export type ServiceTraffic = TrafficColumns | Record<string, OperationTraffic>;

export function trafficColumns(traffic: ServiceTraffic): TrafficColumns {
  return traffic instanceof TrafficColumns ? traffic : TrafficColumns.fromRecord(traffic);
}

/** Every service's traffic as objects (a store that hands out copies, a test). */
export function trafficRecords(traffic: Record<string, ServiceTraffic>): Record<string, Record<string, OperationTraffic>> {
  const records = dictionary<Record<string, OperationTraffic>>();
  for (const [service, given] of Object.entries(traffic)) records[service] = trafficColumns(given).toRecord();
  return records;
}

/** One operation's error rate, read without making objects of columns. */
export function errorRateOf(traffic: ServiceTraffic | undefined, operation: string): number | undefined {
  if (!traffic) return undefined;
  if (traffic instanceof TrafficColumns) {
    const row = traffic.rowOf(operation);
    return row === undefined ? undefined : traffic.get(TRAFFIC.errorRate, row);
  }
  return Object.hasOwn(traffic, operation) ? traffic[operation].errorRate : undefined;
}
