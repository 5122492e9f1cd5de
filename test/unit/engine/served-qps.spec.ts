import { servedQps } from '../../../src/engine/served-qps';
import { INPUT, InputColumns } from '../../../src/sampling/input-columns';

function columns(qps: Record<string, number>): InputColumns {
  const result = new InputColumns(Object.keys(qps));
  Object.values(qps).forEach((value, row) => result.set(INPUT.qps, row, value));
  return result;
}

describe('servedQps', () => {
  it('serves no QPS for a service under the operation cap without an X-Ray service rule', () => {
    expect(servedQps({ shop: { a: 1, b: 2 }, cart: columns({ a: 3 }) }, 2)).toEqual({});
  });

  it('serves the whole QPS of a service over the cap, which picks the operations kept', () => {
    expect(servedQps({ shop: { a: 1, b: 2, c: 3 }, cart: columns({ a: 3, b: 0.5, c: 7 }) }, 2)).toEqual({
      shop: { a: 1, b: 2, c: 3 },
      cart: { a: 3, b: 0.5, c: 7 },
    });
  });

  it('serves the X-Ray service rule fleet rate alone for a service under the cap', () => {
    const served = servedQps({ xray: { '*': 40, 'GET /a': 1 }, '*': columns({ '*': 200 }) }, 5);
    expect(served).toEqual({ xray: { '*': 40 }, '*': { '*': 200 } });
  });

  it('takes service names as data', () => {
    const qps = Object.create(null) as Record<string, Record<string, number>>;
    qps.__proto__ = { '*': 1 };
    expect(servedQps(qps, 5).__proto__).toEqual({ '*': 1 });
  });
});
