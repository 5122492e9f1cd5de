import { parseStrategiesFile } from '../../../src/sampling/strategies-file';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';
import { composeStrategies } from '../../../src/serving/compose-strategies';
import type { ProbabilitiesSnapshot } from '../../../src/store/store';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };

const ADAPTIVE_DEFAULT_LINE =
  '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}';

const probabilities = (values: ProbabilitiesSnapshot['probabilities']): ProbabilitiesSnapshot => ({
  version: 3,
  computedAt: 1_700_000_000_000,
  probabilities: values,
});

const fileWithDefault = parseStrategiesFile(
  JSON.stringify({
    default_strategy: { type: 'probabilistic', param: 0.5 },
    service_strategies: [{ service: 'checkout', type: 'ratelimiting', param: 7 }],
  }),
);
const fileWithoutDefault = parseStrategiesFile(
  JSON.stringify({ service_strategies: [{ service: 'checkout', type: 'ratelimiting', param: 7 }] }),
);

const computed = probabilities({
  checkout: { 'POST /pay': 0.3 },
  search: { 'GET /q': 0.02, 'GET /suggest': 0.5 },
});

const json = (entry: { strategy: Parameters<typeof encodeStrategyJson>[0] } | undefined) =>
  entry ? encodeStrategyJson(entry.strategy) : undefined;

describe('composeStrategies', () => {
  describe('with nothing but defaults', () => {
    it.each([
      ['no file and no probabilities', undefined, null],
      ['a null file and no probabilities', parseStrategiesFile('null'), null],
      ['no file and an empty snapshot', undefined, probabilities({})],
    ])('%s: every service gets the adaptive default', (_why, file, probs) => {
      const composed = composeStrategies(file, probs, DEFAULTS);
      expect(composed.services.size).toBe(0);
      expect(composed.fallback.source).toBe('default');
      expect(json(composed.fallback)).toBe(ADAPTIVE_DEFAULT_LINE);
    });
  });

  describe('computed probabilities without a file', () => {
    const composed = composeStrategies(undefined, computed, DEFAULTS);

    it('serves each computed service its operations, as source adaptive', () => {
      expect([...composed.services.keys()].sort()).toEqual(['checkout', 'search']);
      const search = composed.services.get('search');
      expect(search?.source).toBe('adaptive');
      expect(json(search)).toBe(
        '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},' +
          '"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,' +
          '"perOperationStrategies":[{"operation":"GET /q","probabilisticSampling":{"samplingRate":0.02}},' +
          '{"operation":"GET /suggest","probabilisticSampling":{"samplingRate":0.5}}],' +
          '"defaultUpperBoundTracesPerSecond":0}}',
      );
    });

    it('serves the adaptive default to services never computed', () => {
      expect(composed.fallback.source).toBe('default');
      expect(json(composed.fallback)).toBe(ADAPTIVE_DEFAULT_LINE);
    });

    it('uses the configured initial probability and lower bound', () => {
      const custom = composeStrategies(undefined, computed, {
        initialSamplingProbability: 0.05,
        minSamplesPerSecond: 2,
      });
      const ops = custom.services.get('checkout')?.strategy.operationSampling;
      expect(ops?.defaultSamplingProbability).toBe(0.05);
      expect(ops?.defaultLowerBoundTracesPerSecond).toBe(2);
      expect(custom.fallback.strategy.probabilisticSampling?.samplingRate).toBe(0.05);
    });
  });

  describe('a file without default_strategy', () => {
    const composed = composeStrategies(fileWithoutDefault, computed, DEFAULTS);

    it("puts the file's own entry above computed probabilities", () => {
      expect(composed.services.get('checkout')?.source).toBe('file');
      expect(json(composed.services.get('checkout'))).toBe(
        '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":7}}',
      );
    });

    it('leaves other services adaptive', () => {
      expect(composed.services.get('search')?.source).toBe('adaptive');
      expect(composed.fallback.source).toBe('default');
      expect(json(composed.fallback)).toBe(ADAPTIVE_DEFAULT_LINE);
    });

    it('serves the file entry even when nothing was computed yet', () => {
      const early = composeStrategies(fileWithoutDefault, null, DEFAULTS);
      expect([...early.services.keys()]).toEqual(['checkout']);
      expect(early.services.get('checkout')?.source).toBe('file');
    });
  });

  describe('a file with default_strategy replaces adaptive sampling, as in Jaeger', () => {
    const composed = composeStrategies(fileWithDefault, computed, DEFAULTS);

    it("serves the file's entries", () => {
      expect(composed.services.get('checkout')?.source).toBe('file');
      expect(json(composed.services.get('checkout'))).toBe(
        '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":7}}',
      );
    });

    it('ignores computed probabilities, even for services that have them', () => {
      expect(json(composed.services.get('search') ?? composed.fallback)).toBe(json(composed.fallback));
      expect([...composed.services.values()].every((entry) => entry.source === 'file')).toBe(true);
    });

    it('serves default_strategy to every other service, as source file', () => {
      expect(composed.fallback.source).toBe('file');
      expect(json(composed.fallback)).toBe(
        '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5}}',
      );
    });
  });
});
