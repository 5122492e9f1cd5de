import { type ClientStrategy, StrategyError, parseStrategy } from '../../../src/client/strategy';

const parse = (document: unknown, maxOperations = 2000): ClientStrategy =>
  parseStrategy(JSON.stringify(document), maxOperations);

describe('parseStrategy', () => {
  it('reads Samplane’s adaptive answer as per-operation rates, a default and a lower bound', () => {
    const strategy = parseStrategy(
      '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.001},"operationSampling":' +
        '{"defaultSamplingProbability":0.001,"defaultLowerBoundTracesPerSecond":0.016666666666666666,' +
        '"perOperationStrategies":[{"operation":"GET /cart","probabilisticSampling":{"samplingRate":0.25}}],' +
        '"defaultUpperBoundTracesPerSecond":0}}',
      2000,
    );

    expect(strategy).toEqual({
      kind: 'per-operation',
      defaultProbability: 0.001,
      lowerBound: 0.016666666666666666,
      operations: new Map([['GET /cart', 0.25]]),
    });
  });

  it.each([
    ['string', 'PROBABILISTIC'],
    ['number', 0],
    ['absent (proto3 default, as the OTel Collector writes it)', undefined],
  ])('reads a probabilistic strategy whose type is %s', (_, strategyType) => {
    expect(parse({ strategyType, probabilisticSampling: { samplingRate: 0.8 } })).toEqual({
      kind: 'probabilistic',
      probability: 0.8,
    });
  });

  it.each([
    ['string', 'RATE_LIMITING'],
    ['number', 1],
  ])('reads a rate-limiting strategy whose type is a %s', (_, strategyType) => {
    expect(parse({ strategyType, rateLimitingSampling: { maxTracesPerSecond: 42 } })).toEqual({
      kind: 'rate-limiting',
      maxTracesPerSecond: 42,
    });
  });

  it('lets operationSampling win over a rate limit, as Jaeger clients do', () => {
    const strategy = parse({
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 5 },
      operationSampling: {
        defaultSamplingProbability: 0.001,
        perOperationStrategies: [{ operation: 'POST /pay', probabilisticSampling: { samplingRate: 1 } }],
      },
    });

    expect(strategy).toEqual({
      kind: 'per-operation',
      defaultProbability: 0.001,
      lowerBound: 0,
      operations: new Map([['POST /pay', 1]]),
    });
  });

  it('takes the service rate as the default when operationSampling leaves it out', () => {
    const strategy = parse({
      probabilisticSampling: { samplingRate: 0.3 },
      operationSampling: { perOperationStrategies: [] },
    });

    expect(strategy).toMatchObject({ kind: 'per-operation', defaultProbability: 0.3, lowerBound: 0 });
  });

  it('accepts numbers written as strings, which proto-JSON allows', () => {
    expect(parse({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: '0.7' } })).toEqual({
      kind: 'probabilistic',
      probability: 0.7,
    });
  });

  it('keeps the first entry of a repeated operation and at most maxOperations entries', () => {
    const strategy = parse(
      {
        operationSampling: {
          defaultSamplingProbability: 0.1,
          perOperationStrategies: ['a', 'b', 'a', 'c', 'd'].map((operation, i) => ({
            operation,
            probabilisticSampling: { samplingRate: i / 10 },
          })),
        },
      },
      3,
    );

    expect(strategy).toMatchObject({ operations: new Map([['a', 0], ['b', 0.1], ['c', 0.3]]) });
  });

  it.each<[string, string, string]>([
    ['not JSON', '<html>502 Bad Gateway</html>', '(body)'],
    ['a list', '[]', '(body)'],
    ['an unknown type', '{"strategyType":"ADAPTIVE","probabilisticSampling":{"samplingRate":0.1}}', 'strategyType'],
    ['a probabilistic strategy without its rate', '{"strategyType":"PROBABILISTIC"}', 'probabilisticSampling'],
    ['a rate above 1', '{"probabilisticSampling":{"samplingRate":1.5}}', 'probabilisticSampling.samplingRate'],
    ['a negative rate limit', '{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":-1}}', 'rateLimitingSampling.maxTracesPerSecond'],
    ['a rate that is not a number', '{"probabilisticSampling":{"samplingRate":"lots"}}', 'probabilisticSampling.samplingRate'],
    [
      'an operation entry without a rate',
      '{"operationSampling":{"defaultSamplingProbability":0.1,"perOperationStrategies":[{"operation":"x"}]}}',
      'operationSampling.perOperationStrategies[0].probabilisticSampling',
    ],
    [
      'a negative lower bound',
      '{"operationSampling":{"defaultSamplingProbability":0.1,"defaultLowerBoundTracesPerSecond":-2}}',
      'operationSampling.defaultLowerBoundTracesPerSecond',
    ],
  ])('refuses %s, naming the field', (_, body, field) => {
    let error: unknown;
    try {
      parseStrategy(body, 2000);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StrategyError);
    expect((error as StrategyError).field).toBe(field);
  });
});
