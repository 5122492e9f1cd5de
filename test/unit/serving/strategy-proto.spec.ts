import { StrategyResponseType, encodeStrategyProto } from '../../../src/serving/strategy-proto';
import { probabilistic, rateLimiting, type SamplingStrategy } from '../../../src/sampling/strategy';

/** What protobufjs's own conversion produces: the encoding every gRPC poller has decoded so far. */
function viaFromObject(strategy: SamplingStrategy): Buffer {
  return Buffer.from(StrategyResponseType.encode(StrategyResponseType.fromObject(strategy)).finish());
}

function perOperation(count: number, seed: number): SamplingStrategy {
  return {
    strategyType: 'PROBABILISTIC',
    operationSampling: {
      defaultSamplingProbability: 0.001 * seed,
      defaultLowerBoundTracesPerSecond: seed % 2 === 0 ? 0 : 1 / 60,
      perOperationStrategies: Array.from({ length: count }, (_, i) => ({
        operation: i % 7 === 0 ? `ünïcode ✓ op ${i}` : `GET /api/${seed}/${i}`,
        probabilisticSampling: { samplingRate: i % 5 === 0 ? 0 : Math.min(1, (i + 1) / (count * 3) + seed * 1e-9) },
      })),
      defaultUpperBoundTracesPerSecond: seed % 3 === 0 ? 0 : 100.5,
    },
  };
}

describe('encodeStrategyProto', () => {
  const cases: Array<[string, SamplingStrategy]> = [
    ['probabilistic', probabilistic(0.25)],
    ['probabilistic at 0', probabilistic(0)],
    ['probabilistic at 1', probabilistic(1)],
    ['rate limiting', rateLimiting(7)],
    ['rate limiting at 0', rateLimiting(0)],
    ['rate limiting at int32 max', rateLimiting(2_147_483_647)],
    ['per operation, none listed', perOperation(0, 1)],
    ['per operation, one', perOperation(1, 2)],
    ['per operation, many', perOperation(250, 3)],
    ['per operation, zeros everywhere', perOperation(40, 6)],
    ['per operation beside a probabilistic default', { ...perOperation(3, 5), probabilisticSampling: { samplingRate: 0.5 } }],
  ];

  it.each(cases)('writes the bytes protobufjs’s own conversion writes: %s', (_, strategy) => {
    expect(encodeStrategyProto(strategy).equals(viaFromObject(strategy))).toBe(true);
  });

  it('decodes to the strategy it was given', () => {
    const strategy = perOperation(20, 4);
    const decoded = StrategyResponseType.toObject(StrategyResponseType.decode(encodeStrategyProto(strategy)), { enums: String });
    expect(decoded).toEqual(strategy);
  });
});
