import { servedQps } from '../../../src/engine/served-qps';
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

  it('serves the X-Ray service rule fleet rate alone for a service under the cap', () => {
    const served = servedQps({ xray: { '*': 40, 'GET /a': 1 }, '*': columns({ '*': 200 }) }, saved({ xray: ['*', 'GET /a'], '*': ['*'] }), 5);
    expect(served).toEqual({ xray: { '*': 40 }, '*': { '*': 200 } });
  });

  it('takes service names as data', () => {
    const qps = Object.create(null) as Record<string, Record<string, number>>;
    qps.__proto__ = { '*': 1 };
    const served = servedQps(qps, Object.create(null) as Record<string, Record<string, number>>, 5);
    expect(Object.keys(served)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(served)).toBeNull();
  });
});
