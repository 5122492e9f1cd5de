import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FILE_DEFAULT_SAMPLING_PROBABILITY,
  StrategiesFileError,
  parseStrategiesFile,
} from '../../../src/sampling/strategies-file';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';

const parse = (document: unknown) => parseStrategiesFile(JSON.stringify(document));

function errorOf(text: string): StrategiesFileError {
  try {
    parseStrategiesFile(text);
  } catch (error) {
    if (error instanceof StrategiesFileError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}
const errorFor = (document: unknown) => errorOf(JSON.stringify(document));

const service = (name: string, extra: Record<string, unknown> = {}) => ({
  service: name,
  type: 'probabilistic',
  param: 0.5,
  ...extra,
});

describe('parseStrategiesFile', () => {
  it("falls back to Jaeger's 0.001", () => {
    expect(FILE_DEFAULT_SAMPLING_PROBABILITY).toBe(0.001);
  });

  describe('documents without strategies', () => {
    it.each([
      'null',
      ' null\n',
      '{}',
      '{"default_strategy":null,"service_strategies":null}',
      '{"service_strategies":[]}',
    ])('%j sets nothing', (text) => {
      const result = parseStrategiesFile(text);
      expect(result.defaultStrategy).toBeUndefined();
      expect(result.services.size).toBe(0);
      expect(result.warnings).toEqual([]);
    });
  });

  describe('Jaeger details', () => {
    it('lets a later entry for the same service replace an earlier one', () => {
      const result = parse({
        service_strategies: [
          service('a', { param: 0.1 }),
          service('b'),
          service('a', { type: 'ratelimiting', param: 9 }),
        ],
      });
      expect(result.services.get('a')).toEqual({
        strategyType: 'RATE_LIMITING',
        rateLimitingSampling: { maxTracesPerSecond: 9 },
      });
      expect([...result.services.keys()]).toEqual(['a', 'b']);
    });

    it('truncates a rate limit toward zero rather than rounding', () => {
      const result = parse({
        service_strategies: [
          service('up', { type: 'ratelimiting', param: 2.999 }),
          service('small', { type: 'ratelimiting', param: 0.999 }),
        ],
      });
      expect(result.services.get('up')?.rateLimitingSampling?.maxTracesPerSecond).toBe(2);
      expect(result.services.get('small')?.rateLimitingSampling?.maxTracesPerSecond).toBe(0);
    });

    it('serves a negative fraction of a trace per second as 0, as Go int32() does', () => {
      const result = parse({ service_strategies: [service('s', { type: 'ratelimiting', param: -0.5 })] });
      expect(encodeStrategyJson(result.services.get('s')!)).toBe(
        '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":0}}',
      );
    });

    it('takes the types as written, case included', () => {
      const result = parse({ service_strategies: [service('s', { type: 'Probabilistic', param: 0.5 })] });
      expect(result.services.get('s')).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 0.001 },
      });
      expect(result.warnings).toEqual([
        expect.stringContaining('service_strategies[0].type: "Probabilistic"'),
      ]);
    });

    it('drops a rate-limited operation but keeps its neighbours in order', () => {
      const result = parse({
        service_strategies: [
          service('s', {
            param: 0.25,
            operation_strategies: [
              { operation: 'x', type: 'probabilistic', param: 0.1 },
              { operation: 'y', type: 'ratelimiting', param: 3 },
              { operation: 'z', type: 'probabilistic', param: 0.3 },
            ],
          }),
        ],
      });
      const ops = result.services.get('s')?.operationSampling;
      expect(ops?.defaultSamplingProbability).toBe(0.25);
      expect(ops?.perOperationStrategies.map((op) => op.operation)).toEqual(['x', 'z']);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toContain('"y"');
      expect(result.warnings[0]).toContain('0.25');
    });

    it('gives operation sampling zero lower and upper bounds, since the file has no field for them', () => {
      const result = parse({
        service_strategies: [
          service('s', { operation_strategies: [{ operation: 'x', type: 'probabilistic', param: 1 }] }),
        ],
      });
      const ops = result.services.get('s')?.operationSampling;
      expect(ops?.defaultLowerBoundTracesPerSecond).toBe(0);
      expect(ops?.defaultUpperBoundTracesPerSecond).toBe(0);
    });

    it('does not let an inheriting service change the default it copied from', () => {
      const result = parse({
        default_strategy: {
          type: 'probabilistic',
          param: 0.2,
          operation_strategies: [{ operation: 'o', type: 'probabilistic', param: 0.1 }],
        },
        service_strategies: [service('s', { param: 0.9 })],
      });
      expect(result.services.get('s')?.operationSampling?.defaultSamplingProbability).toBe(0.9);
      expect(result.defaultStrategy?.operationSampling?.defaultSamplingProbability).toBe(0.2);
    });

    it('accepts service and operation names of any characters', () => {
      const result = parse({
        service_strategies: [
          service('svc a&b/ü', {
            operation_strategies: [{ operation: 'GET /api/{id} "q"', type: 'probabilistic', param: 1 }],
          }),
        ],
      });
      expect(result.services.get('svc a&b/ü')?.operationSampling?.perOperationStrategies[0].operation).toBe(
        'GET /api/{id} "q"',
      );
    });
  });

  describe('probabilities outside [0, 1] are refused (Jaeger would serve them)', () => {
    it.each([0, 1, 0.5, 1e-9])('accepts %p', (param) => {
      expect(
        parse({ default_strategy: { type: 'probabilistic', param } }).defaultStrategy?.probabilisticSampling
          ?.samplingRate,
      ).toBe(param);
    });

    it.each([
      [{ default_strategy: { type: 'probabilistic', param: 1.5 } }, 'default_strategy.param'],
      [{ default_strategy: { type: 'probabilistic', param: -0.001 } }, 'default_strategy.param'],
      [{ service_strategies: [service('a'), service('b', { param: 2 })] }, 'service_strategies[1].param'],
      [
        {
          service_strategies: [
            service('a', { operation_strategies: [{ operation: 'x', type: 'probabilistic', param: 100 }] }),
          ],
        },
        'service_strategies[0].operation_strategies[0].param',
      ],
      [
        {
          default_strategy: {
            type: 'ratelimiting',
            param: 1,
            operation_strategies: [{ operation: 'x', type: 'probabilistic', param: -1 }],
          },
        },
        'default_strategy.operation_strategies[0].param',
      ],
    ])('%j names %s', (document, path) => {
      const error = errorFor(document);
      expect(error.message.startsWith(`${path}: `)).toBe(true);
      expect(error.message).toContain('not a probability');
    });
  });

  describe('rate limits that do not fit int32 are refused', () => {
    it('accepts the int32 maximum, even with a fraction', () => {
      const result = parse({
        service_strategies: [
          service('max', { type: 'ratelimiting', param: 2_147_483_647 }),
          service('frac', { type: 'ratelimiting', param: 2_147_483_647.9 }),
        ],
      });
      expect(result.services.get('max')?.rateLimitingSampling?.maxTracesPerSecond).toBe(2_147_483_647);
      expect(result.services.get('frac')?.rateLimitingSampling?.maxTracesPerSecond).toBe(2_147_483_647);
    });

    it.each([
      ['2147483648', 'service_strategies[0].param'],
      ['1e12', 'service_strategies[0].param'],
      ['-1', 'service_strategies[0].param'],
      // JSON.parse reads an overflowing literal as Infinity.
      ['1e400', 'service_strategies[0].param'],
    ])('refuses %s at %s', (param, path) => {
      const error = errorOf(
        `{"service_strategies":[{"service":"s","type":"ratelimiting","param":${param}}]}`,
      );
      expect(error.message.startsWith(`${path}: `)).toBe(true);
      expect(error.message).toContain('not a rate limit');
    });

    it('checks the default strategy too', () => {
      expect(errorFor({ default_strategy: { type: 'ratelimiting', param: 3e9 } }).message).toMatch(
        /^default_strategy\.param: /,
      );
    });

    it('checks a dropped operation too, since the file is wrong either way', () => {
      const error = errorFor({
        service_strategies: [
          service('s', { operation_strategies: [{ operation: 'x', type: 'ratelimiting', param: -5 }] }),
        ],
      });
      expect(error.message).toMatch(/^service_strategies\[0\]\.operation_strategies\[0\]\.param: /);
    });
  });

  describe('a file that cannot be used names the JSON path', () => {
    it('refuses text that is not JSON', () => {
      const error = errorOf('{"default_strategy": {');
      expect(error).toBeInstanceOf(StrategiesFileError);
      expect(error.name).toBe('StrategiesFileError');
      expect(error.message).toMatch(/^not valid JSON: /);
    });

    it('refuses an empty file', () => {
      expect(errorOf('').message).toMatch(/^not valid JSON/);
    });

    it.each(['"nonsense"', '[]', '42', 'true'])('refuses the document %s', (text) => {
      expect(errorOf(text).message).toBe('(root): expected an object');
    });

    it('refuses the fixture Jaeger uses for a bad file', () => {
      const text = readFileSync(
        join(__dirname, '..', '..', 'fixtures', 'strategies', 'invalid', 'not-an-object.json'),
        'utf8',
      );
      expect(errorOf(text).message).toBe('(root): expected an object');
    });

    it.each([
      [{ default_strategy: 'probabilistic' }, 'default_strategy: expected an object'],
      [{ default_strategy: [] }, 'default_strategy: expected an object'],
      [{ service_strategies: {} }, 'service_strategies: expected a list'],
      [{ service_strategies: 'foo' }, 'service_strategies: expected a list'],
      [{ service_strategies: [service('a'), null] }, 'service_strategies[1]: expected an object'],
      [{ service_strategies: [7] }, 'service_strategies[0]: expected an object'],
      [
        { service_strategies: [{ type: 'probabilistic', param: 0.5 }] },
        'service_strategies[0].service: expected a non-empty string',
      ],
      [{ service_strategies: [service('')] }, 'service_strategies[0].service: expected a non-empty string'],
      [
        { service_strategies: [service('a'), { ...service('b'), service: 3 }] },
        'service_strategies[1].service: expected a non-empty string',
      ],
      [{ service_strategies: [service('a', { type: 1 })] }, 'service_strategies[0].type: expected a string'],
      [
        { service_strategies: [service('a', { param: '0.5' })] },
        'service_strategies[0].param: expected a number',
      ],
      [
        { service_strategies: [service('a', { param: true })] },
        'service_strategies[0].param: expected a number',
      ],
      [
        { default_strategy: { type: ['probabilistic'], param: 1 } },
        'default_strategy.type: expected a string',
      ],
      [
        { default_strategy: { type: 'probabilistic', param: {} } },
        'default_strategy.param: expected a number',
      ],
      [
        { default_strategy: { operation_strategies: {} } },
        'default_strategy.operation_strategies: expected a list',
      ],
      [
        { service_strategies: [service('a', { operation_strategies: 'x' })] },
        'service_strategies[0].operation_strategies: expected a list',
      ],
      [
        {
          service_strategies: [
            service('a', {
              operation_strategies: [{ operation: 'x', type: 'probabilistic', param: 1 }, null],
            }),
          ],
        },
        'service_strategies[0].operation_strategies[1]: expected an object',
      ],
      [
        {
          service_strategies: [service('a', { operation_strategies: [{ type: 'probabilistic', param: 1 }] })],
        },
        'service_strategies[0].operation_strategies[0].operation: expected a non-empty string',
      ],
      [
        { default_strategy: { operation_strategies: [{ operation: '', type: 'probabilistic', param: 1 }] } },
        'default_strategy.operation_strategies[0].operation: expected a non-empty string',
      ],
      [
        {
          default_strategy: { operation_strategies: [{ operation: 'x', type: 'probabilistic', param: '1' }] },
        },
        'default_strategy.operation_strategies[0].param: expected a number',
      ],
      [
        {
          service_strategies: [
            service('a', { operation_strategies: [{ operation: 'x', type: 2, param: 1 }] }),
          ],
        },
        'service_strategies[0].operation_strategies[0].type: expected a string',
      ],
    ])('%j', (document, message) => {
      const error = errorFor(document);
      expect(error).toBeInstanceOf(StrategiesFileError);
      expect(error.message).toBe(message);
    });

    it('refuses the whole file for one bad entry, so no half-applied state exists', () => {
      expect(() => parse({ service_strategies: [service('good'), service('bad', { param: 7 })] })).toThrow(
        StrategiesFileError,
      );
    });
  });
});
