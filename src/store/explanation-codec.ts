import type { OperationInputs } from '../sampling/calculator';
import type { ErrorInputs } from '../sampling/samplane/error-boost';
import { dictionary } from '../sampling/dictionary';
import { type SameColumns, readSameColumns, withSameColumns, withoutSameColumns } from './columns-of-one-value';
import { INPUT, INPUT_COLUMNS, InputColumns, type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { OperationTraffic } from './store';
import { type ServiceTraffic, TRAFFIC, TRAFFIC_COLUMNS, TrafficColumns, trafficColumns } from './traffic-columns';

/** What the explanation views read for one service: the newest bucket's traffic and the inputs. */
export interface RecordedExplanation {
  traffic: Record<string, OperationTraffic>;
  inputs: Record<string, OperationInputs>;
}

/**
 * One service's explanations as stored: its operation names, and their numbers as one
 * column-major block of float64 (base64), which encodes and decodes at memory speed where
 * JSON objects per operation cost seconds for a large fleet. Error boosts are rare and kept
 * as they are.
 */
export interface StoredExplanation {
  ops: string[];
  /** The columns not in `same`, in column order. */
  values: string;
  /**
   * Columns holding one value in every row, by column: that value (null for NaN, "absent").
   * Most are (the target, the flags, the estimate, the error columns of a service without
   * errors): about half of a large fleet's explanation bytes, written at every calculation.
   */
  same?: SameColumns;
  boosts?: Record<string, NonNullable<ErrorInputs['boost']>>;
}

/** Column order: the traffic's (see `TRAFFIC`), then the inputs' (see `INPUT`); NaN stands for "absent". */
const Column = {
  Previous: TRAFFIC_COLUMNS,
  Count: TRAFFIC_COLUMNS + INPUT_COLUMNS,
} as const;

export function encodeExplanation(traffic: ServiceTraffic | undefined, inputs: ServiceInputs | undefined): StoredExplanation {
  const why = inputs ? inputColumns(inputs) : new InputColumns([]);
  const seen = traffic ? trafficColumns(traffic) : new TrafficColumns([]);
  // The inputs' rows first, in their order, then operations with traffic only; where the two
  // list the same operations in the same order (the usual case), columns are copied whole.
  const ops = [...why.ops];
  let trafficRows: number[] | undefined;
  if (!sameOperations(why.ops, seen.ops)) {
    trafficRows = seen.ops.map((op) => why.rowOf(op) ?? ops.push(op) - 1);
  }
  const n = ops.length;
  const values = new Float64Array(n * Column.Count).fill(Number.NaN);
  for (let column = 0; column < INPUT_COLUMNS; column++) values.set(why.column(column), (Column.Previous + column) * n);
  for (let column = 0; column < TRAFFIC_COLUMNS; column++) {
    const from = seen.column(column);
    if (!trafficRows) values.set(from, column * n);
    else for (let row = 0; row < from.length; row++) values[column * n + trafficRows[row]] = from[row];
  }
  const boosts = why.boosts;
  const { kept, same } = withoutSameColumns(values, n, Column.Count, 'columns');
  const bytes = Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength);
  return { ops, values: bytes.toString('base64'), ...(same && { same }), ...(Object.keys(boosts).length > 0 && { boosts }) };
}

/**
 * The whole column-major block (n rows per column) a stored explanation holds; undefined
 * where it is unreadable (damaged, or of a shape this replica does not know).
 */
function storedBlock(stored: StoredExplanation, n: number): Float64Array | undefined {
  const bytes = Buffer.from(typeof stored?.values === 'string' ? stored.values : '', 'base64');
  const sameColumns = readSameColumns(stored?.same, Column.Count);
  if (!sameColumns) return undefined;
  if (bytes.length !== n * (Column.Count - sameColumns.size) * 8) return undefined;
  // Copied out so the array is aligned whatever offset the buffer pool gave the bytes.
  const varying = new Float64Array(bytes.length / 8);
  new Uint8Array(varying.buffer).set(bytes);
  return sameColumns.size === 0 ? varying : withSameColumns(varying, sameColumns, n, Column.Count, 'columns');
}

function sameOperations(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The inputs' columns alone, copied out of the stored block: what a new leader restores, a
 * large fleet's without an object per operation. Operations with traffic but no inputs are
 * left out (as `decodeExplanation` leaves them out of `inputs`); empty where the block is
 * unreadable.
 */
export function decodeInputColumns(stored: StoredExplanation): InputColumns {
  const ops = Array.isArray(stored?.ops) ? stored.ops : [];
  const n = ops.length;
  const block = storedBlock(stored, n);
  if (!block) return new InputColumns([]);
  let columns = new InputColumns(ops, block.slice(Column.Previous * n));
  const kept = ops.flatMap((_, row) => (Number.isNaN(columns.get(INPUT.previous, row)) ? [] : [row]));
  if (kept.length < n) {
    const all = columns;
    columns = new InputColumns(kept.map((row) => ops[row]));
    for (let column = 0; column < INPUT_COLUMNS; column++) kept.forEach((row, k) => columns.set(column, k, all.get(column, row)));
  }
  if (stored.boosts) Object.assign(columns.boosts, stored.boosts);
  return columns;
}

export function decodeExplanation(stored: StoredExplanation): RecordedExplanation {
  const traffic = dictionary<OperationTraffic>();
  const inputs = dictionary<OperationInputs>();
  const ops = Array.isArray(stored?.ops) ? stored.ops : [];
  const n = ops.length;
  const values = storedBlock(stored, n);
  if (!values) return { traffic, inputs };
  const seen = new TrafficColumns(ops, values.subarray(0, Column.Previous * n));
  const why = new InputColumns(ops, values.subarray(Column.Previous * n));
  if (stored.boosts) Object.assign(why.boosts, stored.boosts);
  ops.forEach((op, i) => {
    if (!Number.isNaN(seen.get(TRAFFIC.requestsPerSecond, i))) traffic[op] = seen.trafficAt(i);
    if (!Number.isNaN(why.get(INPUT.previous, i))) inputs[op] = why.inputsAt(i);
  });
  return { traffic, inputs };
}
