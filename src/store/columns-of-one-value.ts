/**
 * Stored column blocks keep a column holding one value in every row once, in their JSON
 * header, rather than in each row: most of a fleet's columns are such (targets, flags, error
 * state of services without errors). These read and check them, whichever way a block is laid.
 */

/** Columns of one value as stored: by column, the value (null for NaN, which JSON has not). */
export type SameColumns = Record<string, number | null>;

/**
 * The value of `n` entries of `values` from `start`, `stride` apart, where all are alike (NaN
 * counted alike) and JSON gives it back as it was; undefined otherwise (±Infinity and -0 stay
 * in the rows).
 */
export function valueOfAll(values: Float64Array, start: number, stride: number, n: number): number | null | undefined {
  const first = values[start];
  if (!(Number.isNaN(first) || (Number.isFinite(first) && !Object.is(first, -0)))) return undefined;
  let i = 1;
  if (Number.isNaN(first)) while (i < n && Number.isNaN(values[start + i * stride])) i++;
  else while (i < n && Object.is(values[start + i * stride], first)) i++;
  if (i < n) return undefined;
  return Number.isNaN(first) ? null : first;
}

/** Stored columns of one value as a map, NaN for null; undefined where they are not columns below `width` and numbers. */
export function readSameColumns(raw: unknown, width: number): Map<number, number> | undefined {
  const columns = new Map<number, number>();
  if (raw === undefined) return columns;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  for (const [key, value] of Object.entries(raw)) {
    const column = Number(key);
    if (!Number.isInteger(column) || column < 0 || column >= width || String(column) !== key) return undefined;
    if (value !== null && typeof value !== 'number') return undefined;
    columns.set(column, value ?? Number.NaN);
  }
  return columns;
}
