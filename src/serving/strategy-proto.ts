import * as protobuf from 'protobufjs';
import { protoPath } from '../grpc/proto-path';
import type { SamplingStrategy } from '../sampling/strategy';

const root = protobuf.loadSync(protoPath('jaeger/api_v2/sampling.proto'));
export const StrategyResponseType = root.lookupType('jaeger.api_v2.SamplingStrategyResponse');
export const StrategyParametersType = root.lookupType('jaeger.api_v2.SamplingStrategyParameters');

/** Encodes once per snapshot rebuild so a gRPC poll only copies bytes. */
export function encodeStrategyProto(strategy: SamplingStrategy): Buffer {
  const message = StrategyResponseType.fromObject(strategy);
  return Buffer.from(StrategyResponseType.encode(message).finish());
}
