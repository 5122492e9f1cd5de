import { composeStrategies } from '../../../src/serving/compose-strategies';
import { ServedHistory } from '../../../src/serving/served-history';
import { ServingSnapshot } from '../../../src/serving/serving-snapshot';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };

/** What a replica serves from `builtAt` on: `p` for shop's GET /cart, or the initial default. */
function snapshot(builtAt: number, p?: number): ServingSnapshot {
  const computed = p === undefined ? null : { version: builtAt, computedAt: builtAt, probabilities: { shop: { 'GET /cart': p } } };
  return ServingSnapshot.build(composeStrategies(undefined, computed, DEFAULTS), computed?.version ?? 0, builtAt);
}

// Spans without sampler tags are counted at the probability served when they were sampled,
// which for a batch exported 5 s later is not always the one served when it arrives.
describe('ServedHistory', () => {
  it('answers with the snapshot current at the time asked, for as long as it is kept', () => {
    const history = new ServedHistory(snapshot(0));
    history.replace(snapshot(1_000, 0.05));
    history.replace(snapshot(3_000, 0.02));
    const at = (time: number) => history.lookupAt('shop', time).rateFor('GET /cart');

    expect(at(5_000)).toBe(0.02);
    expect(at(3_000)).toBe(0.02);
    expect(at(2_999)).toBe(0.05);
    expect(at(1_000)).toBe(0.05);
    // Before the first computed probabilities: the initial one; after the newest: the newest.
    expect(at(500)).toBe(0.001);
    expect(at(60_000)).toBe(0.02);
    // A service a past snapshot did not name got that snapshot's default.
    expect(history.lookupAt('unknown', 1_500).rateFor('GET /')).toBe(0.001);

    // Replaced more than 30 s before the newest: no longer kept, the oldest kept answers.
    history.replace(snapshot(32_000, 0.04));
    expect(at(500)).toBe(0.05);
    expect(at(31_999)).toBe(0.02);
    expect(at(32_000)).toBe(0.04);
  });
});
