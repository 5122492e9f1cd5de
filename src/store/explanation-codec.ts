import type { OperationInputs } from '../sampling/calculator';
import type { ErrorInputs } from '../sampling/samplane/error-boost';
import { dictionary } from '../sampling/dictionary';
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

const ESTIMATES = ['first', 'smoothed', 'step', 'resumed', 'awaiting', 'idle'] as const;

/** Column order; NaN stands for "absent". */
const enum Column {
  RequestsPerSecond,
  SampledPerSecond,
  ErrorsPerSecond,
  ErrorRate,
  Previous,
  Target,
  Adaptive,
  WithinTolerance,
  Qps,
  RequestRate,
  Budget,
  SharedTarget,
  Estimate,
  ErrorsRate,
  ErrorsPerSecondSeen,
  BaselineErrorRate,
  BaselineWeight,
  Count,
}

export function encodeExplanation(
  traffic: Record<string, OperationTraffic> | undefined,
  inputs: Record<string, OperationInputs> | undefined,
): StoredExplanation {
  const ops = [...new Set([...Object.keys(traffic ?? {}), ...Object.keys(inputs ?? {})])];
  const n = ops.length;
  const values = new Float64Array(n * Column.Count).fill(Number.NaN);
  const boosts = dictionary<NonNullable<ErrorInputs['boost']>>();
  ops.forEach((op, i) => {
    const set = (column: Column, value: number | undefined) => {
      if (value !== undefined) values[column * n + i] = value;
    };
    const t = traffic && Object.hasOwn(traffic, op) ? traffic[op] : undefined;
    if (t) {
      set(Column.RequestsPerSecond, t.requestsPerSecond);
      set(Column.SampledPerSecond, t.sampledPerSecond);
      set(Column.ErrorsPerSecond, t.errorsPerSecond);
      set(Column.ErrorRate, t.errorRate);
    }
    const input = inputs && Object.hasOwn(inputs, op) ? inputs[op] : undefined;
    if (!input) return;
    set(Column.Previous, input.previous);
    set(Column.Target, input.target);
    set(Column.Adaptive, input.adaptive ? 1 : 0);
    set(Column.WithinTolerance, input.withinTolerance ? 1 : 0);
    set(Column.Qps, input.qps);
    set(Column.RequestRate, input.requestRate);
    set(Column.Budget, input.budget);
    set(Column.SharedTarget, input.sharedTarget);
    if (input.estimate) set(Column.Estimate, ESTIMATES.indexOf(input.estimate));
    const errors = input.errors;
    if (!errors) return;
    set(Column.ErrorsRate, errors.errorRate);
    set(Column.ErrorsPerSecondSeen, errors.errorsPerSecond);
    set(Column.BaselineErrorRate, errors.baselineErrorRate);
    set(Column.BaselineWeight, errors.baselineWeight);
    if (errors.boost) boosts[op] = errors.boost;
  });
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
  ops.forEach((op, i) => {
    const get = (column: Column): number | undefined => {
      const value = values[column * n + i];
      return Number.isNaN(value) ? undefined : value;
    };
    const requestsPerSecond = get(Column.RequestsPerSecond);
    if (requestsPerSecond !== undefined) {
      const errorsPerSecond = get(Column.ErrorsPerSecond);
      traffic[op] = {
        requestsPerSecond,
        sampledPerSecond: get(Column.SampledPerSecond) ?? 0,
        ...(errorsPerSecond !== undefined && { errorsPerSecond }),
        errorRate: get(Column.ErrorRate) ?? 0,
      };
    }
    const previous = get(Column.Previous);
    if (previous === undefined) return;
    const optional = { qps: get(Column.Qps), requestRate: get(Column.RequestRate), budget: get(Column.Budget), sharedTarget: get(Column.SharedTarget) };
    const estimate = get(Column.Estimate);
    const errorRate = get(Column.ErrorsRate);
    const boost = stored.boosts && Object.hasOwn(stored.boosts, op) ? stored.boosts[op] : undefined;
    inputs[op] = {
      previous,
      target: get(Column.Target) ?? 0,
      adaptive: get(Column.Adaptive) === 1,
      withinTolerance: get(Column.WithinTolerance) === 1,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
      ...(estimate !== undefined && ESTIMATES[estimate] && { estimate: ESTIMATES[estimate] }),
      ...(errorRate !== undefined && {
        errors: {
          errorRate,
          errorsPerSecond: get(Column.ErrorsPerSecondSeen) ?? 0,
          baselineErrorRate: get(Column.BaselineErrorRate) ?? 0,
          baselineWeight: get(Column.BaselineWeight) ?? 0,
          ...(boost && { boost }),
        },
      }),
    };
  });
  return { traffic, inputs };
}
