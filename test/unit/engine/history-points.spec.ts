import { historyPoints } from '../../../src/engine/history-points';

const traffic = (requestsPerSecond: number, sampledPerSecond = requestsPerSecond / 100) => ({
  requestsPerSecond,
  sampledPerSecond,
  errorRate: 0,
});

describe('historyPoints', () => {
  it('totals every operation, details the busiest, and keeps the service budget and target', () => {
    const points = historyPoints(
      {
        at: 5000,
        probabilities: { shop: { a: 0.01, b: 0.1, c: 0.5 } },
        traffic: { shop: { a: traffic(1000), b: traffic(100), c: traffic(2) } },
        inputs: {
          shop: {
            a: { previous: 0.01, target: 4, adaptive: true, withinTolerance: true, budget: 9 },
            b: { previous: 0.1, target: 4, adaptive: true, withinTolerance: true, budget: 9 },
            c: { previous: 0.5, target: 1, adaptive: true, withinTolerance: true, budget: 9 },
          },
        },
      },
      { operations: 2, services: 10 },
    );
    const shop = points.get('shop');
    expect(shop).toMatchObject({ at: 5000, requestsPerSecond: 1102, budgetTracesPerSecond: 9, targetSamplesPerSecond: 9 });
    expect(shop?.expectedSampledPerSecond).toBeCloseTo(10 + 10 + 1);
    expect(shop?.operations.map((op) => op.operation)).toEqual(['a', 'b']);
  });

  it('without a budget, the target is the sum of the operations’ targets; only the busiest services are kept', () => {
    const points = historyPoints(
      {
        at: 1,
        probabilities: { big: { x: 0.1 }, small: { y: 1 }, mid: { z: 0.5 } },
        traffic: { big: { x: traffic(100) }, small: { y: traffic(1) }, mid: { z: traffic(10) } },
        inputs: { big: { x: { previous: 0.1, target: 3, adaptive: true, withinTolerance: false } } },
      },
      { operations: 5, services: 2 },
    );
    expect([...points.keys()]).toEqual(['big', 'mid']);
    expect(points.get('big')).toMatchObject({ targetSamplesPerSecond: 3 });
    expect(points.get('big')).not.toHaveProperty('budgetTracesPerSecond');
    expect(points.get('mid')).not.toHaveProperty('targetSamplesPerSecond');
  });
});
