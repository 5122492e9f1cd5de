import { encodeStrategyJson } from '../../../src/sampling/strategy-json';
import type { SamplingStrategy } from '../../../src/sampling/strategy';

// Responses every real poller accepts, byte for byte (Jaeger's and OpenTelemetry's SDKs).
const ADAPTIVE_LINE =
  '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}';
const RATE_LIMITING_LINE =
  '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":42}}';
const PROBABILISTIC_LINE = '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.8}}';

describe('encodeStrategyJson', () => {
  describe('the responses every poller accepts, byte for byte', () => {
    it('adaptive with an empty operation list', () => {
      const strategy: SamplingStrategy = {
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.001 },
        operationSampling: {
          defaultSamplingProbability: 0.001,
          defaultLowerBoundTracesPerSecond: 1 / 60,
          perOperationStrategies: [],
          defaultUpperBoundTracesPerSecond: 0,
        },
      };
      expect(encodeStrategyJson(strategy)).toBe(ADAPTIVE_LINE);
    });

    it('rate limiting', () => {
      expect(
        encodeStrategyJson({
          strategyType: 'RATE_LIMITING',
          rateLimitingSampling: { maxTracesPerSecond: 42 },
        }),
      ).toBe(RATE_LIMITING_LINE);
    });

    it('probabilistic', () => {
      expect(
        encodeStrategyJson({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.8 } }),
      ).toBe(PROBABILISTIC_LINE);
    });
  });

  it('writes keys in proto field order whatever order the object was built in', () => {
    const backwards = {
      operationSampling: {
        defaultUpperBoundTracesPerSecond: 3,
        perOperationStrategies: [{ probabilisticSampling: { samplingRate: 0.5 }, operation: 'GET /' }],
        defaultLowerBoundTracesPerSecond: 2,
        defaultSamplingProbability: 1,
      },
      rateLimitingSampling: { maxTracesPerSecond: 7 },
      probabilisticSampling: { samplingRate: 0.25 },
      strategyType: 'RATE_LIMITING',
    } as SamplingStrategy;
    expect(encodeStrategyJson(backwards)).toBe(
      '{"strategyType":"RATE_LIMITING"' +
        ',"probabilisticSampling":{"samplingRate":0.25}' +
        ',"rateLimitingSampling":{"maxTracesPerSecond":7}' +
        ',"operationSampling":{"defaultSamplingProbability":1,"defaultLowerBoundTracesPerSecond":2' +
        ',"perOperationStrategies":[{"operation":"GET /","probabilisticSampling":{"samplingRate":0.5}}]' +
        ',"defaultUpperBoundTracesPerSecond":3}}',
    );
  });

  it('writes zeros inside present sub-messages instead of dropping them', () => {
    const json = encodeStrategyJson({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0 },
      operationSampling: {
        defaultSamplingProbability: 0,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [{ operation: 'noisy', probabilisticSampling: { samplingRate: 0 } }],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
    expect(json).toBe(
      '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0},' +
        '"operationSampling":{"defaultSamplingProbability":0,"defaultLowerBoundTracesPerSecond":0,' +
        '"perOperationStrategies":[{"operation":"noisy","probabilisticSampling":{"samplingRate":0}}],' +
        '"defaultUpperBoundTracesPerSecond":0}}',
    );
  });

  it('writes a zero rate limit', () => {
    expect(
      encodeStrategyJson({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 0 } }),
    ).toBe('{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":0}}');
  });

  it('omits every sub-message that is not set, leaving the enum as a string', () => {
    expect(encodeStrategyJson({ strategyType: 'PROBABILISTIC' })).toBe('{"strategyType":"PROBABILISTIC"}');
  });

  it('writes only the proto fields, even when the object carries more', () => {
    const withExtras = {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.5, note: 'x' },
      source: 'file',
    } as unknown as SamplingStrategy;
    expect(encodeStrategyJson(withExtras)).toBe(
      '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5}}',
    );
  });

  it('keeps operations in the given order and escapes their names', () => {
    const names = ['b', 'a', 'GET "/x"', 'back\\slash', 'tab\there', 'naïve ☃', '</script>'];
    const json = encodeStrategyJson({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 },
      operationSampling: {
        defaultSamplingProbability: 1,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: names.map((operation, i) => ({
          operation,
          probabilisticSampling: { samplingRate: i / 10 },
        })),
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
    const parsed = JSON.parse(json) as {
      operationSampling: {
        perOperationStrategies: { operation: string; probabilisticSampling: { samplingRate: number } }[];
      };
    };
    expect(parsed.operationSampling.perOperationStrategies.map((op) => op.operation)).toEqual(names);
    expect(
      parsed.operationSampling.perOperationStrategies.map((op) => op.probabilisticSampling.samplingRate),
    ).toEqual(names.map((_, i) => i / 10));
    expect(json).toContain('{"operation":"GET \\"/x\\"","probabilisticSampling":{"samplingRate":0.2}}');
  });

  it('writes numbers as JSON numbers, never strings, at full precision', () => {
    const json = encodeStrategyJson({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1e-7 },
    });
    expect(json).toBe('{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1e-7}}');
    expect(
      (JSON.parse(json) as { probabilisticSampling: { samplingRate: unknown } }).probabilisticSampling
        .samplingRate,
    ).toBe(1e-7);
    const third = encodeStrategyJson({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 1 / 3 },
    });
    expect(third).toContain('"samplingRate":0.3333333333333333}');
  });

  it('round-trips through JSON.parse to the same strategy', () => {
    const strategy: SamplingStrategy = {
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 5 },
      operationSampling: {
        defaultSamplingProbability: 0.2,
        defaultLowerBoundTracesPerSecond: 0.5,
        perOperationStrategies: [{ operation: '/health', probabilisticSampling: { samplingRate: 0.1 } }],
        defaultUpperBoundTracesPerSecond: 10,
      },
    };
    expect(JSON.parse(encodeStrategyJson(strategy))).toStrictEqual(strategy);
  });

  describe('refuses numbers JSON cannot carry', () => {
    it.each([NaN, Infinity, -Infinity])('%p as a rate', (value) => {
      expect(() =>
        encodeStrategyJson({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: value } }),
      ).toThrow(RangeError);
    });

    it('inside an operation', () => {
      expect(() =>
        encodeStrategyJson({
          strategyType: 'PROBABILISTIC',
          operationSampling: {
            defaultSamplingProbability: 0.1,
            defaultLowerBoundTracesPerSecond: 0,
            perOperationStrategies: [{ operation: 'x', probabilisticSampling: { samplingRate: NaN } }],
            defaultUpperBoundTracesPerSecond: 0,
          },
        }),
      ).toThrow(RangeError);
    });

    it('as a rate limit', () => {
      expect(() =>
        encodeStrategyJson({
          strategyType: 'RATE_LIMITING',
          rateLimitingSampling: { maxTracesPerSecond: Infinity },
        }),
      ).toThrow(/cannot encode Infinity/);
    });
  });

  it('quotes operation names exactly as JSON.stringify does, escapes included', () => {
    const names = ['GET /api', '', 'say "hi"', 'back\\slash', 'tab\there', '\u0000\u001f', 'line\u2028sep', 'clef 𝄞', 'lone \ud800', 'lone \udfff end', 'é日本'];
    const json = encodeStrategyJson({
      strategyType: 'PROBABILISTIC',
      operationSampling: {
        defaultSamplingProbability: 0.1,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: names.map((operation) => ({ operation, probabilisticSampling: { samplingRate: 0.5 } })),
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
    for (const name of names) expect(json).toContain(`{"operation":${JSON.stringify(name)},`);
    const parsed = JSON.parse(json) as SamplingStrategy;
    expect(parsed.operationSampling?.perOperationStrategies.map((op) => op.operation)).toEqual(names.map((name) => JSON.parse(JSON.stringify(name))));
  });
});
