import { type TimeSlicer, runInSlices, runToEnd, timeSlicer } from '../../../src/common/time-slicer';

function* counting(steps: number, seen: number[]): Generator<void, number> {
  for (let i = 0; i < steps; i++) {
    seen.push(i);
    yield;
  }
  return steps;
}

describe('time slices', () => {
  it('runs the same steps to the same result, in one go or in slices', async () => {
    const inOneGo: number[] = [];
    const sliced: number[] = [];
    let yields = 0;
    const everyStep: TimeSlicer = { due: () => true, yield: async () => void yields++ };

    expect(runToEnd(counting(5, inOneGo))).toBe(5);
    await expect(runInSlices(counting(5, sliced), everyStep)).resolves.toBe(5);

    expect(sliced).toEqual(inOneGo);
    expect(yields).toBe(5);
  });

  it('lets pending callbacks run between slices of a long loop', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('io'));
    const slicer = timeSlicer(1);
    function* busy(): Generator<void, void> {
      for (let i = 0; i < 50; i++) {
        const until = performance.now() + 0.2;
        while (performance.now() < until);
        yield;
      }
      order.push('done');
    }

    await runInSlices(busy(), slicer);

    expect(order).toEqual(['io', 'done']);
  });
});
