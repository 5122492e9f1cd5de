import type { OperationInputs } from '../../../src/sampling/calculator';
import { ColumnSlab, INPUT, INPUT_COLUMNS, InputColumns, inputColumns, isBoosted } from '../../../src/sampling/input-columns';

const boost = { probability: 0.05, targetErrorSamplesPerSecond: 1, maxSamplingProbability: 0.1, sinceAnomalySeconds: 0, remainingSeconds: 300, anomalous: true };
const inputs: Record<string, OperationInputs> = {
  'GET /cart': {
    previous: 0.01,
    target: 2,
    adaptive: true,
    withinTolerance: false,
    qps: 3,
    requestRate: 300,
    budget: 6,
    estimate: 'step',
    errors: { errorRate: 0.2, errorsPerSecond: 60, baselineErrorRate: 0.01, baselineWeight: 900, boost },
  },
  // Jaeger's: no estimate, rate or errors.
  jaeger: { previous: 0.5, target: 2, adaptive: false, withinTolerance: true },
  constructor: { previous: 1, target: 0.1, adaptive: true, withinTolerance: false, sharedTarget: 1, estimate: 'idle' as const },
};

describe('inputs as columns', () => {
  it('gives back the objects they were made from, absent fields absent', () => {
    const columns = InputColumns.fromRecord(inputs);

    expect(columns.toRecord()).toEqual(inputs);
    expect(Object.keys(columns.inputsAt(columns.ops.indexOf('jaeger')))).toEqual(['previous', 'target', 'adaptive', 'withinTolerance']);
    expect(Object.getOwnPropertyDescriptor(columns.toRecord(), 'constructor')?.value).toEqual(inputs.constructor);
  });

  it('says which operations are boosted, from columns or from objects', () => {
    expect(isBoosted(InputColumns.fromRecord(inputs), 'GET /cart')).toBe(true);
    expect(isBoosted(inputs, 'GET /cart')).toBe(true);
    expect(isBoosted(InputColumns.fromRecord(inputs), 'jaeger')).toBe(false);
    expect(isBoosted(inputs, 'missing')).toBe(false);
    expect(isBoosted(undefined, 'GET /cart')).toBe(false);
  });

  it('leaves columns as they are and converts objects', () => {
    const columns = InputColumns.fromRecord(inputs);
    expect(inputColumns(columns)).toBe(columns);
    expect(inputColumns(inputs).toRecord()).toEqual(inputs);
  });

  it('writes "absent" for an undefined value', () => {
    const columns = InputColumns.fromRecord(inputs);
    columns.set(INPUT.budget, 0, undefined);
    expect(columns.inputsAt(0).budget).toBeUndefined();
    expect(Number.isNaN(columns.get(INPUT.budget, 0))).toBe(true);
  });
});

describe('a slab of columns', () => {
  /** Fills every value of `columns` with `value`. */
  const fill = (columns: InputColumns, value: number) => {
    for (let c = 0; c < INPUT_COLUMNS; c++) for (let row = 0; row < columns.size; row++) columns.set(c, row, value);
  };
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('hands out columns that never overlap within a round, however many blocks they need', () => {
    const slab = new ColumnSlab();
    const handed = [3, 5, 40, 1, 7].map((n, i) => slab.columns(names(n, `s${i}-`), 10));
    handed.forEach((columns, i) => fill(columns, i));
    handed.forEach((columns, i) => expect([...columns.values].every((value) => value === i)).toBe(true));
    expect(handed[2].values.length).toBe(40 * INPUT_COLUMNS);
  });

  it('reuses its memory from one round to the next', () => {
    const slab = new ColumnSlab();
    const first = [slab.columns(names(4, 'a'), 100), slab.columns(names(6, 'b'), 100)];
    slab.rewind();
    const second = [slab.columns(names(4, 'a'), 100), slab.columns(names(6, 'b'), 100)];
    expect(second[0].values.buffer).toBe(first[0].values.buffer);
    expect(second[1].values.byteOffset).toBe(first[1].values.byteOffset);
  });
});
