import { ignoresQuota, splitReservoir } from '../../../../src/sampling/xray/reservoir-split';
import type { XRayPopulation } from '../../../../src/sampling/xray/xray-population';

const adaptive = (rate: number): XRayPopulation => ({ ruleName: 'r', service: 's', operation: '*', mode: 'adaptive', rate });
/** What an instance yields under a target: its quota first every second, FixedRate on the rest. */
const yielded = (target: { FixedRate: number; ReservoirQuota: number }, r: number) =>
  Math.min(r, target.ReservoirQuota) + target.FixedRate * Math.max(0, r - target.ReservoirQuota);

describe('the reservoir split', () => {
  it('four equal instances of a 2,000 requests/s fleet at p = 0.005 each yield 2.5 traces/s: 2 from the reservoir', () => {
    const target = splitReservoir(adaptive(0.005), 500);
    expect(target.ReservoirQuota).toBe(2);
    expect(target.FixedRate).toBeCloseTo(0.5 / 498, 12);
    expect(yielded(target, 500) * 4).toBeCloseTo(10, 9);
  });

  it('splits by share of requests: a busy and a quiet instance yield in proportion', () => {
    const busy = splitReservoir(adaptive(0.01), 1500);
    const quiet = splitReservoir(adaptive(0.01), 50);
    expect(busy.ReservoirQuota).toBe(15);
    expect(quiet.ReservoirQuota).toBe(0);
    expect(quiet.FixedRate).toBeCloseTo(0.01, 12);
    expect(yielded(busy, 1500) + yielded(quiet, 50)).toBeCloseTo(0.01 * 1550, 9);
  });

  it('whatever the number of instances, the fleet yields p times its requests', () => {
    for (const instances of [1, 3, 7, 40, 400]) {
      const perInstance = 2000 / instances;
      const target = splitReservoir(adaptive(0.005), perInstance);
      expect(yielded(target, perInstance) * instances).toBeCloseTo(10, 6);
    }
  });

  it('takes everything through the reservoir when the instance is under its share', () => {
    const target = splitReservoir(adaptive(1), 3);
    expect(target).toEqual({ ReservoirQuota: 3, FixedRate: 0 });
  });

  it('gives an idle instance the fleet rate and no quota', () => {
    expect(splitReservoir(adaptive(0.2), 0)).toEqual({ ReservoirQuota: 0, FixedRate: 0.2 });
  });

  it('serves a pinned rate as FixedRate with no reservoir on every instance', () => {
    const pinned: XRayPopulation = { ruleName: 'r', service: 's', operation: '*', mode: 'fixed', rate: 0.3 };
    expect(splitReservoir(pinned, 10_000)).toEqual({ FixedRate: 0.3, ReservoirQuota: 0 });
    expect(splitReservoir(pinned, 1)).toEqual({ FixedRate: 0.3, ReservoirQuota: 0 });
  });

  it('splits a rate limit by share of the fleet once the fleet is known, the whole quota before', () => {
    const limited: XRayPopulation = { ruleName: 'r', service: 's', operation: '*', mode: 'ratelimiting', rate: 0, maxTracesPerSecond: 20 };
    expect(splitReservoir(limited, 100)).toEqual({ FixedRate: 0, ReservoirQuota: 20 });
    const known = { ...limited, fleetRequestsPerSecond: 1000 };
    const a = splitReservoir(known, 750);
    const b = splitReservoir(known, 250);
    expect(yielded(a, 750) + yielded(b, 250)).toBeCloseTo(20, 9);
    expect(a.ReservoirQuota).toBe(15);
    expect(b.ReservoirQuota).toBe(5);
  });
});

describe('an instance that does not use its quotas', () => {
  it('gets no quota and a FixedRate that, with what it borrows, yields its share', () => {
    // 500 requests/s at p = 0.005 owes 2.5 traces/s; it borrows 1 a second on its own.
    const target = splitReservoir(adaptive(0.005), 500, 1);
    expect(target.ReservoirQuota).toBe(0);
    expect(1 + target.FixedRate * (500 - 1)).toBeCloseTo(2.5, 9);
  });

  it('gets FixedRate 0 when its borrowing alone exceeds its share', () => {
    expect(splitReservoir(adaptive(0.001), 500, 1)).toEqual({ FixedRate: 0, ReservoirQuota: 0 });
  });

  it.each([
    [2, 0, false],
    [0, 3, false],
    [2, 3, true],
  ])('given quota %d, borrowing %d means it ignores quotas: %s', (quota, borrowed, ignores) => {
    expect(ignoresQuota(quota, borrowed)).toBe(ignores);
  });
});
