import * as protobuf from 'protobufjs';
import { protoPath } from '../grpc/proto-path';
import type { SamplingStrategy, StrategyType } from '../sampling/strategy';

const root = protobuf.loadSync(protoPath('jaeger/api_v2/sampling.proto'));
export const StrategyResponseType = root.lookupType('jaeger.api_v2.SamplingStrategyResponse');
export const StrategyParametersType = root.lookupType('jaeger.api_v2.SamplingStrategyParameters');

const STRATEGY_TYPES = root.lookupEnum('jaeger.api_v2.SamplingStrategyType').values as Record<StrategyType, number>;

/**
 * Encodes once per snapshot rebuild so a gRPC poll only copies bytes. The strategy is shaped
 * like the message, and `encode` walks a plain object as it walks a message: only the enum
 * needs its number. Skipping `fromObject`'s copy of every operation makes re-encoding a large
 * fleet's answers about half as costly.
 */
export function encodeStrategyProto(strategy: SamplingStrategy): Buffer {
  const message = { ...strategy, strategyType: STRATEGY_TYPES[strategy.strategyType] };
  const bytes = StrategyResponseType.encode(message).finish();
  // Under Node protobufjs writes into a Buffer already: copied, a large fleet's re-encode made
  // every answer twice.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}
