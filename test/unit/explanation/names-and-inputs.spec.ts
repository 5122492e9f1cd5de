import { explainService, summarize } from '../../../src/explanation/service-views';
import { inputColumns } from '../../../src/sampling/input-columns';
import type { SamplingStrategy } from '../../../src/sampling/strategy';
import type { RecordedExplanation } from '../../../src/store/explanation-codec';
import type { NewProbabilities, ProbabilitiesSnapshot } from '../../../src/store/store';
import { trafficColumns } from '../../../src/store/traffic-columns';

/** As a snapshot arrives from the store: plain objects, parsed from JSON. */
const computed = JSON.parse(
  JSON.stringify({
    version: 2,
    computedAt: 0,
    probabilities: { checkout: { 'GET /cart': 0.002, 'GET /health': 0.004 } },
    qps: { checkout: { 'GET /cart': 1, 'GET /health': 0.5 } },
    traffic: { checkout: { 'GET /cart': { requestsPerSecond: 500, sampledPerSecond: 1, errorRate: 0 } } },
    inputs: {
      checkout: {
        'GET /cart': { previous: 0.001, target: 1, adaptive: true, withinTolerance: false },
        'GET /health': { previous: 0.002, target: 1, adaptive: true, withinTolerance: false },
      },
    },
  }),
) as ProbabilitiesSnapshot & NewProbabilities;

const recorded = new Map<string, RecordedExplanation>([
  [
    'checkout',
    {
      traffic: trafficColumns(computed.traffic?.checkout ?? {}).toRecord(),
      inputs: inputColumns(computed.inputs?.checkout ?? {}).toRecord(),
    },
  ],
]);

const pinnedStrategy = (operations: Record<string, number>): SamplingStrategy => ({
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.001 },
  operationSampling: {
    defaultSamplingProbability: 0.001,
    defaultLowerBoundTracesPerSecond: 0,
    perOperationStrategies: Object.entries(operations).map(([operation, samplingRate]) => ({
      operation,
      probabilisticSampling: { samplingRate },
    })),
    defaultUpperBoundTracesPerSecond: 0,
  },
});

function explain(service: string, pins: Record<string, number>, computedRates: Record<string, number> = {}) {
  const view = explainService({
    service,
    strategy: pinnedStrategy({ ...computedRates, ...pins }),
    source: 'policy',
    policy: {
      service,
      policy: {
        mode: 'adaptive',
        operations: Object.entries(pins).map(([operation, samplingRate]) => ({ operation, samplingRate })),
      },
    },
    computed,
    // Read from the store by name, as a Map lookup: a name like "constructor" finds nothing.
    recorded: recorded.get(service),
    deltaTolerance: 0.3,
  });
  return Object.fromEntries(view.operations.map((op) => [op.operation, op]));
}

describe('explainService with names from the outside world', () => {
  it('finds nothing recorded for operations named after members of Object.prototype', () => {
    // A computed key: a literal `__proto__:` would set the prototype instead.
    const ops = explain('checkout', { constructor: 0, toString: 1, ['__proto__']: 0.5 });
    for (const operation of ['constructor', 'toString', '__proto__']) {
      expect(ops[operation]).toMatchObject({
        source: 'policy',
        requestsPerSecond: null,
        sampledPerSecond: null,
        errorRate: null,
        inputs: null,
      });
    }
  });

  it('finds nothing recorded for a service named after one, nor for its operations', () => {
    const ops = explain('constructor', { name: 0, length: 1 });
    expect(Object.keys(ops).sort()).toEqual(['length', 'name']);
    expect(ops.name).toMatchObject({ requestsPerSecond: null, inputs: null });
    const summary = summarize('constructor', 'policy', pinnedStrategy({}), computed);
    expect(summary).toMatchObject({ operations: 0, requestsPerSecond: 0 });
  });

  it('quotes the policy’s service name in reasons as JSON, whatever it holds', () => {
    expect(explain('a "b"\nc', { x: 0 }).x.reason).toBe('pinned at 0 by the policy for "a \\"b\\"\\nc"');
  });

  it('shows calculation inputs only beside the rate the engine calculated', () => {
    const ops = explain('checkout', { 'GET /health': 0 }, { 'GET /cart': 0.002 });
    expect(ops['GET /health'].inputs).toBeNull();
    expect(ops['GET /cart']).toMatchObject({ source: 'adaptive', inputs: { previous: 0.001, target: 1, qps: 1 } });
  });
});
