import { policyStrategy } from '../../../src/serving/policy-strategy';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };

describe('policyStrategy in probabilistic mode', () => {
  it('lists every computed operation at the policy’s rate next to the pinned ones', () => {
    const computed = new Map([
      ['GET /cart', 0.002],
      ['GET /health', 0.5],
    ]);
    const strategy = policyStrategy(
      { mode: 'probabilistic', samplingRate: 0.3, operations: [{ operation: 'GET /health', samplingRate: 0 }] },
      computed,
      DEFAULTS,
    );
    expect(strategy.operationSampling?.perOperationStrategies).toEqual([
      { operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.3 } },
      { operation: 'GET /health', probabilisticSampling: { samplingRate: 0 } },
    ]);
    expect(strategy.operationSampling?.defaultSamplingProbability).toBe(0.3);
  });

  it('stays a plain probabilistic strategy without pinned operations, whatever was computed', () => {
    expect(policyStrategy({ mode: 'probabilistic', samplingRate: 0.3 }, new Map([['GET /cart', 0.002]]), DEFAULTS)).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.3 },
    });
  });

  it('serves a lower bound without pinned operations as per-operation strategies', () => {
    expect(policyStrategy({ mode: 'probabilistic', samplingRate: 0, lowerBoundTracesPerSecond: 10 }, undefined, DEFAULTS)).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0 },
      operationSampling: {
        defaultSamplingProbability: 0,
        defaultLowerBoundTracesPerSecond: 10,
        perOperationStrategies: [],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
  });
});
