import { composeStrategies } from '../../../src/serving/compose-strategies';
import type { Policy } from '../../../src/sampling/policy';
import { parseStrategiesFile } from '../../../src/sampling/strategies-file';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';
import type { ProbabilitiesSnapshot } from '../../../src/store/store';

const DEFAULTS = { initialSamplingProbability: 0.001, minSamplesPerSecond: 1 / 60 };
const computed: ProbabilitiesSnapshot = {
  version: 3,
  computedAt: 0,
  probabilities: { checkout: { 'GET /cart': 0.2, 'GET /health': 0.9 }, search: { q: 0.05 } },
};
const file = parseStrategiesFile(
  JSON.stringify({ service_strategies: [{ service: 'billing', type: 'probabilistic', param: 0.7 }] }),
);

function served(policies: Record<string, Policy>, withFile = file) {
  const composed = composeStrategies(withFile, computed, DEFAULTS, Infinity, new Map(Object.entries(policies)));
  return (service: string) => {
    const entry = composed.services.get(service) ?? composed.fallback;
    return { source: entry.source, json: JSON.parse(encodeStrategyJson(entry.strategy)) as Record<string, unknown> };
  };
}

describe('composeStrategies with operator policies', () => {
  it('a service policy outranks the file and the computed rates', () => {
    const view = served({
      billing: { mode: 'probabilistic', samplingRate: 0.25 },
      checkout: { mode: 'ratelimiting', maxTracesPerSecond: 9 },
    });
    expect(view('billing')).toEqual({
      source: 'policy',
      json: { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.25 } },
    });
    expect(view('checkout').json).toEqual({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 9 } });
  });

  it('pins an operation in adaptive mode and keeps the computed rates of the others, within bounds', () => {
    const view = served({
      checkout: {
        mode: 'adaptive',
        maxSamplingProbability: 0.5,
        lowerBoundTracesPerSecond: 0.1,
        operations: [{ operation: 'GET /health', samplingRate: 0 }],
      },
    });
    expect(view('checkout').json).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.001 },
      operationSampling: {
        defaultSamplingProbability: 0.001,
        defaultLowerBoundTracesPerSecond: 0.1,
        perOperationStrategies: [
          { operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.2 } },
          { operation: 'GET /health', probabilisticSampling: { samplingRate: 0 } },
        ],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
  });

  it('clamps computed rates into the policy bounds before the next calculation', () => {
    const view = served({ search: { mode: 'adaptive', minSamplingProbability: 0.1 } });
    const ops = (view('search').json.operationSampling as { perOperationStrategies: unknown[] }).perOperationStrategies;
    expect(ops).toEqual([{ operation: 'q', probabilisticSampling: { samplingRate: 0.1 } }]);
    expect((view('search').json.probabilisticSampling as { samplingRate: number }).samplingRate).toBe(0.1);
  });

  it('the default policy * applies below the file, to computed services and to unknown ones', () => {
    const view = served({ '*': { mode: 'probabilistic', samplingRate: 0.05 } });
    expect(view('billing').source).toBe('file');
    expect(view('search')).toEqual({
      source: 'policy',
      json: { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.05 } },
    });
    expect(view('never-seen').json).toEqual(view('search').json);
  });

  it('the default policy * outranks the file’s default_strategy', () => {
    const withDefault = parseStrategiesFile(JSON.stringify({ default_strategy: { type: 'probabilistic', param: 0.9 } }));
    const view = served({ '*': { mode: 'ratelimiting', maxTracesPerSecond: 2 } }, withDefault);
    expect(view('anything').json).toEqual({ strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 2 } });
  });

  it('pinned operations under a rate-limited policy follow Jaeger’s file semantics', () => {
    const view = served({ search: { mode: 'ratelimiting', maxTracesPerSecond: 3, operations: [{ operation: 'q', samplingRate: 1 }] } });
    expect(view('search').json).toEqual({
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 3 },
      operationSampling: {
        defaultSamplingProbability: 0.001,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [{ operation: 'q', probabilisticSampling: { samplingRate: 1 } }],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
  });
});
