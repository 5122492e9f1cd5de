import { loadConfig } from '../../../src/config/load-config';
import { adaptiveStrategy } from '../../../src/sampling/adaptive-strategy';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';

// The adaptive default as the README's first example shows it.
const ADAPTIVE_DEFAULT_LINE =
  '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}';

describe('adaptiveStrategy', () => {
  it('serves the adaptive default, byte for byte, with the default configuration', () => {
    const { adaptive } = loadConfig({});
    expect(encodeStrategyJson(adaptiveStrategy(adaptive, undefined))).toBe(ADAPTIVE_DEFAULT_LINE);
  });

  it('serves the same default for an empty set of probabilities', () => {
    const defaults = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };
    expect(encodeStrategyJson(adaptiveStrategy(defaults, new Map()))).toBe(ADAPTIVE_DEFAULT_LINE);
  });

  it('lists one probabilistic entry per operation, in the order given', () => {
    const strategy = adaptiveStrategy(
      { initialSamplingProbability: 0.01, minSamplesPerSecond: 0.5 },
      new Map([
        ['POST /pay', 1],
        ['GET /cart', 0.25],
        ['GET /health', 0.00001],
      ]),
    );
    expect(strategy).toStrictEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.01 },
      operationSampling: {
        defaultSamplingProbability: 0.01,
        defaultLowerBoundTracesPerSecond: 0.5,
        perOperationStrategies: [
          { operation: 'POST /pay', probabilisticSampling: { samplingRate: 1 } },
          { operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.25 } },
          { operation: 'GET /health', probabilisticSampling: { samplingRate: 0.00001 } },
        ],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
  });

  it('puts the default probability in probabilisticSampling too, for OTel JS and Java', () => {
    const strategy = adaptiveStrategy(
      { initialSamplingProbability: 0.2, minSamplesPerSecond: 0 },
      new Map([['op', 0.9]]),
    );
    expect(strategy.probabilisticSampling).toEqual({ samplingRate: 0.2 });
    expect(strategy.rateLimitingSampling).toBeUndefined();
  });

  it('builds a fresh list each time, so one service cannot alter another', () => {
    const defaults = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };
    const a = adaptiveStrategy(defaults, undefined);
    a.operationSampling!.perOperationStrategies.push({
      operation: 'x',
      probabilisticSampling: { samplingRate: 1 },
    });
    expect(adaptiveStrategy(defaults, undefined).operationSampling!.perOperationStrategies).toEqual([]);
  });
});
