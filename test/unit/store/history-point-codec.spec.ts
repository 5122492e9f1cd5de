import { decodePoint, encodePoint } from '../../../src/store/history-point-codec';
import type { ServicePoint } from '../../../src/store/history-store';

/** A point as a large fleet's leader writes one: 20 operations, rates with every digit a double has. */
function fleetPoint(): ServicePoint {
  const operations = Array.from({ length: 20 }, (_, i) => ({
    operation: `GET /api/v1/fleet-svc-00934/resource-${String(i * 8).padStart(3, '0')}`,
    probability: 0.000199983334 + i / 3e6,
    requestsPerSecond: 5000.416666666667 + i / 3,
    sampledPerSecond: 1.0000833333333334,
    errorRate: i === 3 ? 0.012345678901 : 0,
  }));
  return { at: 1_796_590_770_098, requestsPerSecond: 84338.22759999997, sampledPerSecond: 92.20768333333349, expectedSampledPerSecond: 92.2076833333335, targetSamplesPerSecond: 100, operations };
}

describe('history points as stored', () => {
  it('reads back every name and field, each number to 6 significant digits', () => {
    const point = fleetPoint();
    point.operations[0].operation = 'svc "quoted" ü/ß';

    const read = decodePoint(encodePoint(point));

    expect(read.at).toBe(point.at);
    expect(read.targetSamplesPerSecond).toBe(100);
    expect(read).not.toHaveProperty('budgetTracesPerSecond');
    expect(read.requestsPerSecond).toBe(84338.2);
    expect(read.operations.map((op) => op.operation)).toEqual(point.operations.map((op) => op.operation));
    for (const [i, op] of read.operations.entries()) {
      const written = point.operations[i];
      for (const field of ['probability', 'requestsPerSecond', 'sampledPerSecond', 'errorRate'] as const) {
        expect(Math.abs(op[field] - written[field])).toBeLessThanOrEqual(Math.abs(written[field]) * 5e-6);
      }
    }
    expect(read.operations[3].errorRate).toBe(0.0123457);
  });

  it('takes less than half the room of the point written out as an object', () => {
    const point = fleetPoint();

    expect(encodePoint(point).length).toBeLessThan(JSON.stringify(point).length / 2);
  });
});
