import type { OperationInputs } from '../sampling/calculator';
import type { ErrorInputs } from '../sampling/samplane/error-boost';
import { dictionary } from '../sampling/dictionary';
import { INPUT, INPUT_COLUMNS, InputColumns, type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { OperationTraffic } from './store';

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
  values: string;
  boosts?: Record<string, NonNullable<ErrorInputs['boost']>>;
}

/** Column order: the traffic's, then the inputs' (see `INPUT`); NaN stands for "absent". */
const Column = {
  RequestsPerSecond: 0,
  SampledPerSecond: 1,
  ErrorsPerSecond: 2,
  ErrorRate: 3,
  Previous: 4,
  Count: 4 + INPUT_COLUMNS,
} as const;

export function encodeExplanation(
  traffic: Record<string, OperationTraffic> | undefined,
  inputs: ServiceInputs | undefined,
): StoredExplanation {
  const why = inputs ? inputColumns(inputs) : new InputColumns([]);
  // The inputs' rows first, in their order, so their columns are copied as they are.
  const ops = [...why.ops];
  const known = new Set(ops);
  for (const op of Object.keys(traffic ?? {})) if (!known.has(op)) ops.push(op);
  const n = ops.length;
  const values = new Float64Array(n * Column.Count).fill(Number.NaN);
  for (let column = 0; column < INPUT_COLUMNS; column++) values.set(why.column(column), (Column.Previous + column) * n);
  if (traffic) {
    ops.forEach((op, i) => {
      const t = Object.hasOwn(traffic, op) ? traffic[op] : undefined;
      if (!t) return;
      values[Column.RequestsPerSecond * n + i] = t.requestsPerSecond;
      values[Column.SampledPerSecond * n + i] = t.sampledPerSecond;
      if (t.errorsPerSecond !== undefined) values[Column.ErrorsPerSecond * n + i] = t.errorsPerSecond;
      values[Column.ErrorRate * n + i] = t.errorRate;
    });
  }
  const boosts = why.boosts;
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return { ops, values: bytes.toString('base64'), ...(Object.keys(boosts).length > 0 && { boosts }) };
}

export function decodeExplanation(stored: StoredExplanation): RecordedExplanation {
  const traffic = dictionary<OperationTraffic>();
  const inputs = dictionary<OperationInputs>();
  const ops = Array.isArray(stored?.ops) ? stored.ops : [];
  const n = ops.length;
  const bytes = Buffer.from(typeof stored?.values === 'string' ? stored.values : '', 'base64');
  if (bytes.length !== n * Column.Count * 8) return { traffic, inputs };
  // Copied out so the array is aligned whatever offset the buffer pool gave the bytes.
  const values = new Float64Array(n * Column.Count);
  new Uint8Array(values.buffer).set(bytes);
  const why = new InputColumns(ops, values.subarray(Column.Previous * n));
  if (stored.boosts) Object.assign(why.boosts, stored.boosts);
  ops.forEach((op, i) => {
    const requestsPerSecond = values[Column.RequestsPerSecond * n + i];
    if (!Number.isNaN(requestsPerSecond)) {
      const errorsPerSecond = values[Column.ErrorsPerSecond * n + i];
      traffic[op] = {
        requestsPerSecond,
        sampledPerSecond: orZero(values[Column.SampledPerSecond * n + i]),
        ...(!Number.isNaN(errorsPerSecond) && { errorsPerSecond }),
        errorRate: orZero(values[Column.ErrorRate * n + i]),
      };
    }
    if (!Number.isNaN(why.get(INPUT.previous, i))) inputs[op] = why.inputsAt(i);
  });
  return { traffic, inputs };
}

function orZero(value: number): number {
  return Number.isNaN(value) ? 0 : value;
}
