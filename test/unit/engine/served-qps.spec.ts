import { fleetRequests, servedQps } from '../../../src/engine/served-qps';
import { TrafficColumns } from '../../../src/store/traffic-columns';
import { INPUT, InputColumns } from '../../../src/sampling/input-columns';

function columns(qps: Record<string, number>): InputColumns {
  const result = new InputColumns(Object.keys(qps));
  Object.values(qps).forEach((value, row) => result.set(INPUT.qps, row, value));
  return result;
}

/** Probabilities saved for the operations named. */
function saved(services: Record<string, string[]>): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(services).map(([service, ops]) => [service, Object.fromEntries(ops.map((op) => [op, 0.5]))]));
}

describe('servedQps', () => {
  it('serves no QPS for a service under the operation cap without an X-Ray service rule', () => {
    expect(servedQps({ shop: { a: 1, b: 2 }, cart: columns({ a: 3 }) }, saved({ shop: ['a', 'b'], cart: ['a'] }), 2)).toEqual({});
  });

  it('serves the whole QPS of a service saved over the cap, which picks the operations kept', () => {
    const qps = { shop: { a: 1, b: 2, c: 3 }, cart: columns({ a: 3, b: 0.5, c: 7 }) };
    expect(servedQps(qps, saved({ shop: ['a', 'b', 'c'], cart: ['a', 'b', 'c'] }), 2)).toEqual({
      shop: { a: 1, b: 2, c: 3 },
      cart: { a: 3, b: 0.5, c: 7 },
    });
  });

  it('counts the operations as saved: inherited ones without QPS can take a service over the cap', () => {
    const served = servedQps({ shop: columns({ a: 1, b: 2 }) }, saved({ shop: ['a', 'b', 'inherited'] }), 2);
    expect(served).toEqual({ shop: { a: 1, b: 2 } });
  });

  it('serves no QPS for the X-Ray service rule under the cap: its fleet is served as requests', () => {
    expect(servedQps({ xray: { '*': 40, 'GET /a': 1 } }, saved({ xray: ['*', 'GET /a'] }), 5)).toEqual({});
  });

  it('takes service names as data', () => {
    const qps = Object.create(null) as Record<string, Record<string, number>>;
    qps.__proto__ = { a: 1, b: 2 };
    const probabilities = Object.create(null) as Record<string, Record<string, number>>;
    probabilities.__proto__ = { a: 0.5, b: 0.5 };
    const served = servedQps(qps, probabilities, 1);
    expect(Object.keys(served)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(served)).toBeNull();
    const traffic = Object.create(null) as Record<string, TrafficColumns>;
    traffic.__proto__ = TrafficColumns.fromRecord({ '*': { requestsPerSecond: 3, sampledPerSecond: 1, errorRate: 0 } });
    expect(Object.keys(fleetRequests(traffic, {}))).toEqual(['__proto__']);
  });
});

describe('fleetRequests', () => {
  const traffic = (requests: Record<string, number>) =>
    TrafficColumns.fromRecord(Object.fromEntries(Object.entries(requests).map(([op, r]) => [op, { requestsPerSecond: r, sampledPerSecond: r / 100, errorRate: 0 }])));

  it('gives each X-Ray service rule fleet its requests per second, not its sampled traces', () => {
    const fleets = fleetRequests({ xray: traffic({ '*': 500, 'GET /a': 20 }), jaeger: traffic({ 'GET /b': 7 }) }, {});
    expect(fleets).toEqual({ xray: 500 });
  });

  it('takes samplane’s estimate of the request rate where it made one', () => {
    const inputs = new InputColumns(['GET /a', '*']);
    inputs.set(INPUT.requestRate, 1, 480);
    inputs.set(INPUT.qps, 1, 4.8);
    const fleets = fleetRequests({ xray: traffic({ 'GET /a': 20, '*': 500 }), other: traffic({ '*': 9 }) }, { xray: inputs, other: new InputColumns(['x']) });
    expect(fleets).toEqual({ xray: 480, other: 9 });
    // The fleet's reports missed the interval: the estimate still stands.
    expect(fleetRequests({}, { xray: inputs })).toEqual({ xray: 480 });
  });
});
