import type { OperationInputs } from '../../../src/sampling/calculator';
import { decodeExplanation, encodeExplanation } from '../../../src/store/explanation-codec';
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
