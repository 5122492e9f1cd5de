import { type TimeSlicer, UNSLICED } from '../../../src/common/time-slicer';
import { JAEGER_DEFAULTS } from '../../../src/sampling/adaptive-options';
import type { AdaptiveCalculator } from '../../../src/sampling/calculator';
import { qpsRecords } from '../../../src/sampling/input-columns';
import { JaegerCalculator } from '../../../src/sampling/jaeger/jaeger-calculator';
import { SamplaneCalculator } from '../../../src/sampling/samplane/samplane-calculator';
import { type Counts, bucket } from './samplane/fixtures';

const OPTIONS = { ...JAEGER_DEFAULTS, maxOperations: 5 };

/** Three services whose load changes between ticks; one floods past the cap, one goes quiet. */
const TICKS: Counts[] = [
  { a: { x: 600, y: 60 }, b: { z: 6000 }, flood: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`op-${i}`, 60 * (i + 1)])) },
  { a: { x: 6000, y: 60 }, b: { z: 6000 }, flood: { 'op-1': 600 } },
  { a: { x: 6000 }, flood: { 'op-9': 60 } },
];

async function run(calculator: AdaptiveCalculator, slicer: TimeSlicer | undefined) {
  const results = [];
  for (const counts of TICKS) {
    calculator.addBucket(bucket(counts));
    const { probabilities, qps } = slicer ? await calculator.calculateInSlices(slicer) : calculator.calculate();
    // Made records now: a calculation's input columns are reused by the next one.
    results.push({ probabilities, qps: qpsRecords(qps) });
    results.push({ inputs: calculator.lastInputs(), dropped: calculator.droppedOperations() });
  }
  return results;
}

describe.each([
  ['samplane', () => new SamplaneCalculator(OPTIONS)],
  ['jaeger', () => new JaegerCalculator(OPTIONS)],
])('%s calculated in slices', (_name, make) => {
  it('gives what the calculation in one go gives, yielding between services', async () => {
    let yields = 0;
    const everyService: TimeSlicer = { due: () => true, yield: async () => void yields++ };

    const inOneGo = await run(make(), undefined);
    const sliced = await run(make(), everyService);

    expect(sliced).toEqual(inOneGo);
    expect(await run(make(), UNSLICED)).toEqual(inOneGo);
    expect(yields).toBeGreaterThanOrEqual(TICKS.length * 2);
  });
});
