import { StrategyResponseType, encodeStrategyProto, measureStrategyProto, writeStrategyProto } from '../../../src/serving/strategy-proto';
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

function named(names: string[]): SamplingStrategy {
  const strategy = perOperation(names.length, 9);
  names.forEach((name, i) => (strategy.operationSampling!.perOperationStrategies[i].operation = name));
  return strategy;
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
    ['per operation beside a rate limit', { ...perOperation(4, 7), strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 300 } }],
    // Lengths of two and three varint bytes: the operations' list past 16 KiB, names past 127 bytes.
    ['per operation, two thousand', perOperation(2000, 8)],
    ['names long enough for two-byte lengths', named(['x'.repeat(114), 'y'.repeat(115), 'z'.repeat(127), 'é'.repeat(64), 'w'.repeat(20_000)])],
    ['names of every width', named(['', '\u0000', '𝄞 clef', 'é', '日本語', 'a"b\\c\n'])],
    ['a negative rate limit (ten bytes, as int32 goes)', rateLimiting(-5)],
    ['a fractional rate limit (its integer part)', rateLimiting(7.9)],
  ];

  it.each(cases)('writes the bytes protobufjs’s own conversion writes: %s', (_, strategy) => {
    expect(encodeStrategyProto(strategy).equals(viaFromObject(strategy))).toBe(true);
  });

  it('writes a lone surrogate as U+FFFD, valid UTF-8 as proto3 strings must be, where protobufjs writes bytes Go decoders refuse', () => {
    const strategy = named(['a\ud800b', 'c\udfff']);
    const bytes = encodeStrategyProto(strategy);
    expect(bytes.includes(Buffer.from('a\ufffdb'))).toBe(true);
    expect(bytes.includes(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false);
    expect(viaFromObject(strategy).includes(Buffer.from([0xed, 0xa0, 0x80]))).toBe(true);
    const decoded = StrategyResponseType.toObject(StrategyResponseType.decode(bytes)) as SamplingStrategy;
    expect(decoded.operationSampling?.perOperationStrategies.map((op) => op.operation)).toEqual(['a\ufffdb', 'c\ufffd']);
  });

  it('refuses to write a strategy other than the one just measured, rather than write wrong lengths', () => {
    const measured = perOperation(3, 2);
    const other = perOperation(3, 4);
    const out = Buffer.alloc(measureStrategyProto(measured));
    expect(() => writeStrategyProto(other, out, 0)).toThrow(/right after it is measured/);
    writeStrategyProto(measured, out, 0);
    expect(out.equals(viaFromObject(measured))).toBe(true);
  });

  it('decodes to the strategy it was given', () => {
    const strategy = perOperation(20, 4);
    const decoded = StrategyResponseType.toObject(StrategyResponseType.decode(encodeStrategyProto(strategy)), { enums: String });
    expect(decoded).toEqual(strategy);
  });
});
