import type { OperationInputs } from '../../../src/sampling/calculator';
import { decodeExplanation, decodeInputColumns, encodeExplanation } from '../../../src/store/explanation-codec';
import type { OperationTraffic } from '../../../src/store/store';
import { TRAFFIC, TrafficColumns, errorRateOf, trafficColumns, trafficRecords } from '../../../src/store/traffic-columns';
import { InputColumns } from '../../../src/sampling/input-columns';

const traffic: Record<string, OperationTraffic> = {
  'GET /cart': { requestsPerSecond: 1234.5678901234, sampledPerSecond: 1 / 3, errorsPerSecond: 0.1, errorRate: 0.0001 },
  quiet: { requestsPerSecond: 0, sampledPerSecond: 0, errorRate: 0 },
};
const inputs: Record<string, OperationInputs> = {
  'GET /cart': {
    previous: 0.000810372,
    target: 1,
    adaptive: true,
    withinTolerance: false,
    qps: 1.0004,
    requestRate: 1234.5678901234,
    budget: 4,
    estimate: 'step',
    errors: {
      errorRate: 0.2,
      errorsPerSecond: 246.9,
      baselineErrorRate: 0.01,
      baselineWeight: 7400.25,
      boost: { probability: 0.004, targetErrorSamplesPerSecond: 1, maxSamplingProbability: 1, sinceAnomalySeconds: 0, remainingSeconds: 300, anomalous: true },
    },
  },
  // Jaeger's inputs: no estimate, rate or errors.
  jaeger: { previous: 0.5, target: 2, adaptive: false, withinTolerance: true },
  flooded: { previous: 1, target: 0.004, adaptive: true, withinTolerance: false, requestRate: 1, sharedTarget: 1, estimate: 'idle' },
};

/** 500 operations alike in all but their rates: target, flags and estimate; no errors. */
function alike(): { seen: Record<string, OperationTraffic>; many: Record<string, OperationInputs> } {
  const rows = Array.from({ length: 500 }, (_, i) => [`op-${i}`, i] as const);
  // A zero of either sign stays what it was.
  const many: Record<string, OperationInputs> = Object.fromEntries(
    rows.map(([op, i]) => [op, { previous: 1 / (i + 3), target: 1, adaptive: true, withinTolerance: false, qps: i % 2 === 0 ? 0 : -0, requestRate: i, estimate: 'smoothed' }]),
  );
  const seen: Record<string, OperationTraffic> = Object.fromEntries(rows.map(([op, i]) => [op, { requestsPerSecond: i, sampledPerSecond: i / 1000, errorRate: 0 }]));
  return { seen, many };
}

describe('the stored form of explanations', () => {
  it('gives back exactly what was recorded, absent fields absent', () => {
    const stored = JSON.parse(JSON.stringify(encodeExplanation(traffic, inputs)));

    const decoded = decodeExplanation(stored);

    expect(decoded.traffic).toEqual(traffic);
    expect(decoded.inputs).toEqual(inputs);
    expect(Object.keys(decoded.inputs.jaeger)).toEqual(['previous', 'target', 'adaptive', 'withinTolerance']);
  });

  it('keeps operations named after Object.prototype members as data', () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const own = Object.fromEntries(names.map((name) => [name, { requestsPerSecond: 1, sampledPerSecond: 0.5, errorRate: 0 }]));

    const decoded = decodeExplanation(JSON.parse(JSON.stringify(encodeExplanation(own, undefined))));

    for (const name of names) expect(Object.getOwnPropertyDescriptor(decoded.traffic, name)?.value).toEqual(own[name]);
  });

  it('costs a fixed number of bytes per operation, less than a JSON object each', () => {
    const { boost: _boost, ...errors } = inputs['GET /cart'].errors ?? { errorRate: 0, errorsPerSecond: 0, baselineErrorRate: 0, baselineWeight: 0 };
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`op-${i}`, { ...inputs['GET /cart'], errors }]));

    const stored = JSON.stringify(encodeExplanation(undefined, many));

    // 17 numbers of 8 bytes, in base64, and the name.
    expect(stored.length).toBeLessThan(1000 * (Math.ceil((17 * 8 * 4) / 3) + 12));
    expect(stored.length).toBeLessThan(JSON.stringify(many).length);
  });

  it('reads damaged values as nothing recorded', () => {
    const stored = encodeExplanation(traffic, inputs);

    expect(decodeExplanation({ ...stored, values: stored.values.slice(8) })).toEqual({ traffic: {}, inputs: {} });
  });

  it('stores a column of one value once, and gives every row back exactly', () => {
    const { seen, many } = alike();

    const encoded = encodeExplanation(seen, many);
    const stored = JSON.parse(JSON.stringify(encoded));
    const decoded = decodeExplanation(stored);

    expect(decoded).toEqual({ traffic: seen, inputs: many });
    expect(Object.is(decoded.inputs['op-1'].qps, -0)).toBe(true);
    // Varying: requests, sampled, previous, qps, request rate; the other twelve stored once.
    expect(Object.keys(stored.same)).toHaveLength(12);
    expect(Buffer.from(stored.values, 'base64').length).toBe(500 * 5 * 8);
    expect(decodeInputColumns(stored).inputsAt(7)).toEqual(many['op-7']);
  });

  it('reads the block without columns of one value, as earlier versions stored every column', () => {
    const NaN_ = Number.NaN;
    // Two rows per column: traffic (requests, sampled, errors/s, error rate), then the inputs.
    const columns = [[5, 6], [1, 2], [NaN_, NaN_], [0, 0.5], [0.1, 0.2], [1, 1], [1, 0], [0, 1], ...Array.from({ length: 9 }, () => [NaN_, NaN_])];
    const block = Float64Array.from(columns.flat());
    const stored = { ops: ['a', 'b'], values: Buffer.from(block.buffer).toString('base64') };

    expect(decodeExplanation(stored)).toEqual({
      traffic: { a: { requestsPerSecond: 5, sampledPerSecond: 1, errorRate: 0 }, b: { requestsPerSecond: 6, sampledPerSecond: 2, errorRate: 0.5 } },
      inputs: { a: { previous: 0.1, target: 1, adaptive: true, withinTolerance: false }, b: { previous: 0.2, target: 1, adaptive: false, withinTolerance: true } },
    });
  });

  it.each([
    ['a column that is no column', { 99: 1 }],
    ['a value that is no number', { 5: 'one' }],
    ['one column more than the block leaves out', { 0: 1 }],
  ])('reads %s as nothing recorded', (_case, same) => {
    const { seen, many } = alike();
    const stored = JSON.parse(JSON.stringify(encodeExplanation(seen, many)));
    const damaged = { ...stored, same: { ...stored.same, ...same } };
    expect(decodeExplanation(damaged)).toEqual({ traffic: {}, inputs: {} });
    expect(decodeInputColumns(damaged).ops).toEqual([]);
  });

  it('stores columns as it stores objects, whether or not traffic and inputs list the same operations in the same order', () => {
    const roundTrip = (t: Record<string, OperationTraffic>, i: Record<string, OperationInputs>) =>
      decodeExplanation(JSON.parse(JSON.stringify(encodeExplanation(TrafficColumns.fromRecord(t), InputColumns.fromRecord(i)))));
    const same = { 'GET /cart': inputs['GET /cart'], quiet: inputs.jaeger };
    expect(roundTrip(traffic, same)).toEqual({ traffic, inputs: same });
    // Traffic in another order, with an operation of its own; inputs with one of theirs.
    const reordered = { quiet: traffic.quiet, 'GET /cart': traffic['GET /cart'], 'POST /pay': traffic.quiet };
    expect(roundTrip(reordered, inputs)).toEqual({ traffic: reordered, inputs });
  });
});

describe('traffic as columns', () => {
  it('gives back the objects they were made from, with totals and lookups by name', () => {
    const columns = TrafficColumns.fromRecord(traffic);
    expect(columns.toRecord()).toEqual(traffic);
    expect(columns.total(TRAFFIC.requestsPerSecond)).toBeCloseTo(1234.5678901234);
    expect(errorRateOf(columns, 'GET /cart')).toBe(0.0001);
    expect(errorRateOf(traffic, 'GET /cart')).toBe(0.0001);
    expect(errorRateOf(columns, 'missing')).toBeUndefined();
    expect(trafficColumns(columns)).toBe(columns);
    expect(trafficRecords({ shop: columns, other: traffic })).toEqual({ shop: traffic, other: traffic });
  });
});
