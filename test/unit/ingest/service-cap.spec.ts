import { ServiceCap } from '../../../src/ingest/service-cap';
import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';
import type { StrategyProvider } from '../../../src/serving/strategy-provider';
import type { ProbabilitiesSnapshot } from '../../../src/store/store';

/** The cap over a real accumulator and a provider whose computed snapshot the test sets. */
function setup(max: number) {
  const accumulator = new ThroughputAccumulator(10);
  const provider: { computed: ProbabilitiesSnapshot | null } = { computed: null };
  const cap = new ServiceCap(max, provider as unknown as StrategyProvider);
  const count = (service: string) => {
    const admitted = cap.admits(service);
    if (admitted) accumulator.add(service, 'op', 1, 1, 0, undefined);
    return admitted;
  };
  let version = 0;
  const compute = (...services: string[]) => {
    provider.computed = { version: ++version, computedAt: 0, probabilities: Object.fromEntries(services.map((s) => [s, { op: 0.1 }])) };
  };
  return { cap, count, compute, accumulator };
}

describe('ServiceCap', () => {
  it('admits new services up to the cap within a window, and the ones it already counts after', () => {
    const { count } = setup(2);
    expect([count('a'), count('b'), count('c'), count('a')]).toEqual([true, true, false, true]);
  });

  it('keeps admitting services the last calculation knows, after their window has drained', () => {
    const { count, compute, accumulator } = setup(2);
    count('a');
    count('b');
    accumulator.drain();
    compute('a', 'b');
    expect([count('a'), count('b'), count('c')]).toEqual([true, true, false]);
  });

  it('still counts services whose window was flushed before any calculation showed them', () => {
    const { count, accumulator } = setup(2);
    count('a');
    accumulator.drain();
    count('b');
    accumulator.drain();
    expect([count('c'), count('a'), count('b')]).toEqual([false, true, true]);
  });

  it('frees the place of an admitted service the calculations never show', () => {
    const { count, compute } = setup(2);
    count('a');
    count('lost');
    compute('a');
    expect(count('c')).toBe(false);
    compute('a');
    compute('a');
    expect(count('c')).toBe(true);
  });

  it('counts computed and newly seen services together, never more than the cap', () => {
    const { count, compute } = setup(3);
    compute('a', 'b');
    expect([count('c'), count('d')]).toEqual([true, false]);
  });

  it('does not count an inherited property name as a known service', () => {
    const { count, compute } = setup(1);
    compute('a');
    expect(count('constructor')).toBe(false);
    expect(count('__proto__')).toBe(false);
  });
});
