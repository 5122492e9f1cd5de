import type { SamplingStrategy, StrategySource } from '../../../src/sampling/strategy';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';
import { type ComposedStrategies, type ServingEntry, ServingSnapshot, encodeEntry } from '../../../src/serving/serving-snapshot';
import { StrategyResponseType } from '../../../src/serving/strategy-proto';

const ADAPTIVE_DEFAULT: SamplingStrategy = {
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.001 },
  operationSampling: {
    defaultSamplingProbability: 0.001,
    defaultLowerBoundTracesPerSecond: 1 / 60,
    perOperationStrategies: [],
    defaultUpperBoundTracesPerSecond: 0,
  },
};
const ADAPTIVE_DEFAULT_LINE =
  '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},"operationSampling":{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,"perOperationStrategies":[],"defaultUpperBoundTracesPerSecond":0}}';

const STRATEGIES: Record<string, SamplingStrategy> = {
  adaptive: {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.001 },
    operationSampling: {
      defaultSamplingProbability: 0.001,
      defaultLowerBoundTracesPerSecond: 1 / 60,
      perOperationStrategies: [
        { operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.125 } },
        { operation: 'POST /pay ☃', probabilisticSampling: { samplingRate: 1 } },
      ],
      defaultUpperBoundTracesPerSecond: 0,
    },
  },
  rateLimited: { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 42 } },
  probabilistic: { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.8 } },
  rateLimitedWithOperations: {
    strategyType: 'RATE_LIMITING',
    rateLimitingSampling: { maxTracesPerSecond: 3 },
    operationSampling: {
      defaultSamplingProbability: 0.2,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [{ operation: '/health', probabilisticSampling: { samplingRate: 0.1 } }],
      defaultUpperBoundTracesPerSecond: 0,
    },
  },
  zeros: {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0 },
    operationSampling: {
      defaultSamplingProbability: 0,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies: [{ operation: 'off', probabilisticSampling: { samplingRate: 0 } }],
      defaultUpperBoundTracesPerSecond: 0,
    },
  },
  largestRateLimit: {
    strategyType: 'RATE_LIMITING',
    rateLimitingSampling: { maxTracesPerSecond: 2_147_483_647 },
  },
};

/**
 * Reads proto bytes back into the strategy model. Proto3 cannot tell a zero from an unset
 * scalar, so zeros are filled in; an unset sub-message stays absent.
 */
function decode(bytes: Buffer): SamplingStrategy {
  const object = StrategyResponseType.toObject(StrategyResponseType.decode(bytes), {
    enums: String,
    defaults: true,
    arrays: true,
  }) as Record<string, unknown>;
  for (const key of Object.keys(object)) if (object[key] === null) delete object[key];
  return object as unknown as SamplingStrategy;
}

function build(
  services: Record<string, [SamplingStrategy, StrategySource]>,
  fallback: [SamplingStrategy, StrategySource] = [ADAPTIVE_DEFAULT, 'default'],
  version = 7,
  builtAt = 1_700_000_000_123,
): ServingSnapshot {
  const composed: ComposedStrategies = {
    services: new Map(
      Object.entries(services).map(([name, [strategy, source]]) => [name, { strategy, source }]),
    ),
    fallback: { strategy: fallback[0], source: fallback[1] },
  };
  return ServingSnapshot.build(composed, version, builtAt);
}

describe('ServingSnapshot', () => {
  describe('lookup', () => {
    const snapshot = build({
      checkout: [STRATEGIES.rateLimited, 'file'],
      search: [STRATEGIES.adaptive, 'adaptive'],
    });

    it('answers a known service with its own entry and source', () => {
      expect(snapshot.lookup('checkout').strategy).toEqual(STRATEGIES.rateLimited);
      expect(snapshot.lookup('checkout').source).toBe('file');
      expect(snapshot.lookup('search').source).toBe('adaptive');
    });

    it.each(['unknown', '', 'Checkout', 'checkout '])('falls back for %j', (service) => {
      const entry = snapshot.lookup(service);
      expect(entry).toBe(snapshot.fallback);
      expect(entry.source).toBe('default');
      expect(entry.json.toString('utf8')).toBe(ADAPTIVE_DEFAULT_LINE);
    });

    it('lists only the services with an entry of their own', () => {
      expect([...snapshot.services()].map(([name]) => name).sort()).toEqual(['checkout', 'search']);
    });

    it('keeps the version and build time it was given', () => {
      expect(snapshot.probabilitiesVersion).toBe(7);
      expect(snapshot.builtAt).toBe(1_700_000_000_123);
    });
  });

  it('is not changed by later changes to what it was built from', () => {
    const composed: ComposedStrategies = {
      services: new Map([['a', { strategy: STRATEGIES.probabilistic, source: 'file' }]]),
      fallback: { strategy: ADAPTIVE_DEFAULT, source: 'default' },
    };
    const snapshot = ServingSnapshot.build(composed, 1, 0);
    composed.services.set('b', { strategy: STRATEGIES.rateLimited, source: 'file' });
    composed.services.delete('a');
    expect(snapshot.lookup('a').source).toBe('file');
    expect(snapshot.lookup('b')).toBe(snapshot.fallback);
  });

  it('refuses to build from a strategy no client could read', () => {
    expect(() =>
      build({
        broken: [{ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: NaN } }, 'adaptive'],
      }),
    ).toThrow(RangeError);
  });

  describe('pre-encoded answers', () => {
    const snapshot = build(
      Object.fromEntries(Object.entries(STRATEGIES).map(([name, strategy]) => [name, [strategy, 'file']])),
    );

    it.each(Object.keys(STRATEGIES))('%s: JSON bytes are the strategy encoded', (name) => {
      const entry = snapshot.lookup(name);
      expect(entry.json.toString('utf8')).toBe(encodeStrategyJson(STRATEGIES[name]));
      expect(JSON.parse(entry.json.toString('utf8'))).toStrictEqual(STRATEGIES[name]);
    });

    it.each(Object.keys(STRATEGIES))('%s: proto bytes decode to the same strategy', (name) => {
      expect(decode(snapshot.lookup(name).proto)).toStrictEqual(STRATEGIES[name]);
    });

    it('encodes the fallback both ways too', () => {
      expect(snapshot.fallback.json.toString('utf8')).toBe(ADAPTIVE_DEFAULT_LINE);
      expect(decode(snapshot.fallback.proto)).toStrictEqual(ADAPTIVE_DEFAULT);
    });
  });

  describe('rateFor', () => {
    const snapshot = build({
      adaptive: [STRATEGIES.adaptive, 'adaptive'],
      probabilistic: [STRATEGIES.probabilistic, 'file'],
      limited: [STRATEGIES.rateLimited, 'file'],
      limitedWithOperations: [STRATEGIES.rateLimitedWithOperations, 'file'],
    });

    it('applies the last entry when a name repeats, as jaeger-client and OTel JS do', () => {
      const repeated = build({
        dup: [
          {
            strategyType: 'PROBABILISTIC',
            operationSampling: {
              defaultSamplingProbability: 0.5,
              defaultLowerBoundTracesPerSecond: 0,
              perOperationStrategies: [
                { operation: 'op', probabilisticSampling: { samplingRate: 0.1 } },
                { operation: 'op', probabilisticSampling: { samplingRate: 0.9 } },
              ],
              defaultUpperBoundTracesPerSecond: 0,
            },
          },
          'file',
        ],
      });
      expect(repeated.lookup('dup').rates.rateFor('op')).toBe(0.9);
    });

    it('gives a listed operation its own rate', () => {
      expect(snapshot.lookup('adaptive').rates.rateFor('GET /cart')).toBe(0.125);
      expect(snapshot.lookup('limitedWithOperations').rates.rateFor('/health')).toBe(0.1);
    });

    it('gives an unlisted operation the per-operation default', () => {
      expect(snapshot.lookup('adaptive').rates.rateFor('GET /other')).toBe(0.001);
      expect(snapshot.lookup('limitedWithOperations').rates.rateFor('/other')).toBe(0.2);
    });

    it('gives the service rate when there is no operation sampling', () => {
      expect(snapshot.lookup('probabilistic').rates.rateFor('anything')).toBe(0.8);
    });

    it('has no rate for a rate-limited service without operation sampling', () => {
      expect(snapshot.lookup('limited').rates.rateFor('anything')).toBeUndefined();
    });

    it('answers for the fallback too', () => {
      expect(snapshot.lookup('unknown').rates.rateFor('GET /')).toBe(0.001);
    });

    describe("a service's next entry, made from the one it replaces", () => {
      const listing = (operations: Array<[string, number]>, fallback = 0.5): SamplingStrategy => ({
        strategyType: 'PROBABILISTIC',
        operationSampling: {
          defaultSamplingProbability: fallback,
          defaultLowerBoundTracesPerSecond: 0,
          perOperationStrategies: operations.map(([operation, samplingRate]) => ({ operation, probabilisticSampling: { samplingRate } })),
          defaultUpperBoundTracesPerSecond: 0,
        },
      });
      const asked = (entry: ServingEntry, ...operations: string[]) => operations.map((operation) => entry.rates.rateFor(operation));
      /** The index an entry answers from (made at its first ask), to tell whether two share one. */
      const indexOf = (entry: ServingEntry) => (entry.rates as unknown as { index?: unknown }).index;

      it('answers with its own rates and fallback for the same operations, in any order, and the one it replaced keeps its own', () => {
        const before = encodeEntry(listing([['a', 0.1], ['b', 0.2]]), 'adaptive');
        expect(asked(before, 'a', 'b')).toStrictEqual([0.1, 0.2]);
        const after = encodeEntry(listing([['a', 0.3], ['b', 0.4]], 0.05), 'adaptive', before);
        expect(asked(after, 'a', 'b', 'c')).toStrictEqual([0.3, 0.4, 0.05]);
        expect(asked(before, 'a', 'b', 'c')).toStrictEqual([0.1, 0.2, 0.5]);
        const reordered = encodeEntry(listing([['b', 0.7], ['a', 0.6]]), 'adaptive', after);
        expect(asked(reordered, 'a', 'b')).toStrictEqual([0.6, 0.7]);
        // One index for all three: made once, not again after every calculation.
        expect(indexOf(after)).toBe(indexOf(before));
        expect(indexOf(reordered)).toBe(indexOf(before));
      });

      it('answers right when operations came or went', () => {
        const before = encodeEntry(listing([['a', 0.1], ['b', 0.2], ['c', 0.3]]), 'adaptive');
        asked(before, 'a'); // makes its index
        expect(asked(encodeEntry(listing([['a', 0.7], ['b', 0.8]]), 'adaptive', before), 'a', 'b', 'c')).toStrictEqual([0.7, 0.8, 0.5]);
        expect(asked(encodeEntry(listing([['a', 0.7], ['b', 0.8], ['c', 0.9], ['d', 0.01]]), 'adaptive', before), 'c', 'd')).toStrictEqual([0.9, 0.01]);
        const swapped = encodeEntry(listing([['a', 0.7], ['d', 0.8], ['c', 0.9]]), 'adaptive', before);
        expect(asked(swapped, 'a', 'b', 'd')).toStrictEqual([0.7, 0.5, 0.8]);
        expect(indexOf(swapped)).not.toBe(indexOf(before));
      });

      it('answers right where a list repeats a name, before or after, or was never asked', () => {
        const repeated = encodeEntry(listing([['a', 0.1], ['a', 0.2], ['b', 0.3]]), 'file');
        expect(asked(repeated, 'a', 'b')).toStrictEqual([0.2, 0.3]);
        // Its index has two names, the second at position 2: past the end of a list of two.
        expect(asked(encodeEntry(listing([['a', 0.4], ['b', 0.6]]), 'file', repeated), 'a', 'b')).toStrictEqual([0.4, 0.6]);
        const single = encodeEntry(listing([['a', 0.1], ['b', 0.2]]), 'file');
        asked(single, 'a'); // makes its index
        expect(asked(encodeEntry(listing([['a', 0.3], ['a', 0.4]]), 'file', single), 'a', 'b')).toStrictEqual([0.4, 0.5]);
        const unasked = encodeEntry(listing([['a', 0.1]]), 'file');
        expect(asked(encodeEntry(listing([['a', 0.9]]), 'file', unasked), 'a')).toStrictEqual([0.9]);
      });
    });
  });

  describe('proto wire format (jaeger.api_v2 field numbers, as sampling.proto has them)', () => {
    const snapshot = build({
      limited: [STRATEGIES.rateLimited, 'file'],
      probabilistic: [STRATEGIES.probabilistic, 'file'],
    });

    it('writes RATE_LIMITING as enum 1 in field 1 and the limit in field 3.1', () => {
      // 08 01: field 1 varint 1; 1a 02: field 3, 2 bytes; 08 2a: field 1 varint 42.
      expect(snapshot.lookup('limited').proto.toString('hex')).toBe('08011a02082a');
    });

    it('writes the probability as a double in field 2.1', () => {
      const bytes = snapshot.lookup('probabilistic').proto;
      const rate = Buffer.alloc(8);
      rate.writeDoubleLE(0.8);
      expect(bytes.toString('hex')).toContain(`1209${'09'}${rate.toString('hex')}`);
      const raw = StrategyResponseType.toObject(StrategyResponseType.decode(bytes), { defaults: true }) as {
        strategyType: number;
      };
      expect(raw.strategyType).toBe(0);
    });
  });
});
