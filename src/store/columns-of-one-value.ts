/**
 * Stored column blocks keep a column holding one value in every row once, in their JSON
 * header, rather than in each row: most of a fleet's columns are such (targets, flags, error
 * state of services without errors). These take such columns out of a block, put them back,
 * and check them as read, whichever way the block is laid.
 */

/** Columns of one value as stored: by column, the value (null for NaN, which JSON has not). */
export type SameColumns = Record<string, number | null>;

/** How a block of n rows of `width` lies: each column's n values together, or each row's. */
export type Layout = 'columns' | 'rows';

/** `values` without its columns of one value (laid as `values` was), and those columns. */
export function withoutSameColumns(values: Float64Array, n: number, width: number, layout: Layout): { kept: Float64Array; same?: SameColumns } {
  if (n < 2) return { kept: values };
  let same: SameColumns | undefined;
  const keptColumns: number[] = [];
  for (let column = 0; column < width; column++) {
    const value = layout === 'columns' ? valueOfAll(values, column * n, 1, n) : valueOfAll(values, column, width, n);
    if (value !== undefined) (same ??= {})[column] = value;
    else keptColumns.push(column);
  }
  if (!same) return { kept: values };
  const kept = new Float64Array(n * keptColumns.length);
  if (layout === 'columns') {
    keptColumns.forEach((column, k) => kept.set(values.subarray(column * n, (column + 1) * n), k * n));
  } else {
    let at = 0;
    for (let row = 0; row < n; row++) for (const column of keptColumns) kept[at++] = values[row * width + column];
  }
  return { kept, same };
}

/** The whole block (n rows of `width`, into `block`) from what `withoutSameColumns` kept and its columns as read. */
export function withSameColumns(
  kept: Float64Array,
  same: Map<number, number>,
  n: number,
  width: number,
  layout: Layout,
  block = new Float64Array(n * width),
): Float64Array {
  let at = 0;
  if (layout === 'columns') {
    for (let column = 0; column < width; column++) {
      const value = same.get(column);
      if (value !== undefined) block.fill(value, column * n, (column + 1) * n);
      else block.set(kept.subarray(at, (at += n)), column * n);
    }
  } else {
    // Looked up once per column, not per row: a million operations' state is taken up this way.
    const byColumn = Array.from({ length: width }, (_, column) => same.get(column));
    for (let row = 0; row < n; row++) {
      for (let column = 0; column < width; column++) {
        const value = byColumn[column];
        block[row * width + column] = value === undefined ? kept[at++] : value;
      }
    }
  }
  return block;
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

/**
 * The value of `n` entries of `values` from `start`, `stride` apart, where all are alike (NaN
 * counted alike) and JSON gives it back as it was; undefined otherwise (±Infinity and -0 stay
 * in the rows).
 */
function valueOfAll(values: Float64Array, start: number, stride: number, n: number): number | null | undefined {
  const first = values[start];
  if (!(Number.isNaN(first) || (Number.isFinite(first) && !Object.is(first, -0)))) return undefined;
  let i = 1;
  if (Number.isNaN(first)) while (i < n && Number.isNaN(values[start + i * stride])) i++;
  else while (i < n && Object.is(values[start + i * stride], first)) i++;
  if (i < n) return undefined;
  return Number.isNaN(first) ? null : first;
}
