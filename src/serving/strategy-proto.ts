import * as protobuf from 'protobufjs';
import { protoPath } from '../grpc/proto-path';
import type { SamplingStrategy, StrategyType } from '../sampling/strategy';

const root = protobuf.loadSync(protoPath('jaeger/api_v2/sampling.proto'));
export const StrategyResponseType = root.lookupType('jaeger.api_v2.SamplingStrategyResponse');
export const StrategyParametersType = root.lookupType('jaeger.api_v2.SamplingStrategyParameters');

const STRATEGY_TYPES = root.lookupEnum('jaeger.api_v2.SamplingStrategyType').values as Record<StrategyType, number>;

/** Field keys (number << 3 | wire type) of `jaeger.api_v2`'s sampling messages. */
const KEY = {
  strategyType: 0x08, // 1, varint
  probabilisticSampling: 0x12, // 2, length-delimited
  rateLimitingSampling: 0x1a, // 3, length-delimited
  operationSampling: 0x22, // 4, length-delimited
  samplingRate: 0x09, // 1, 64-bit
  maxTracesPerSecond: 0x08, // 1, varint
  defaultSamplingProbability: 0x09, // 1, 64-bit
  defaultLowerBoundTracesPerSecond: 0x11, // 2, 64-bit
  perOperationStrategies: 0x1a, // 3, length-delimited
  defaultUpperBoundTracesPerSecond: 0x21, // 4, 64-bit
  operation: 0x0a, // 1, length-delimited
  operationProbabilisticSampling: 0x12, // 2, length-delimited
} as const;

/** A `ProbabilisticSamplingStrategy`: its one double, key included. */
const PROBABILISTIC_BYTES = 9;
/** Each operation's `probabilisticSampling`, key and length included. */
const OPERATION_RATE_BYTES = 2 + PROBABILISTIC_BYTES;

/** Each listed operation's name in UTF-8 bytes, measured once and written in a second pass. */
let nameBytes = new Uint32Array(256);
/** The last strategy measured, its size, and its operations' sub-message's. */
let measuredStrategy: SamplingStrategy | undefined;
let measured = 0;
let measuredOperations = 0;

/**
 * Encodes once per snapshot rebuild so a gRPC poll only copies bytes. Written by hand into a
 * buffer of the exact size (names measured first): protobufjs's encoder walks the message
 * through a chain of writer operations per field, and at a million operations re-encoded that
 * was twice this. The bytes are protobufjs's (its unit test compares them): every field the
 * strategy holds, zeros included, in field order; but a lone surrogate in a name is written as
 * U+FFFD, valid UTF-8 as proto3 strings must be, where protobufjs writes bytes Go refuses.
 */
export function encodeStrategyProto(strategy: SamplingStrategy): Buffer {
  const out = Buffer.allocUnsafe(measureStrategyProto(strategy));
  writeStrategyProto(strategy, out, 0);
  return out;
}

/**
 * The size of `strategy` encoded; `writeStrategyProto` of the same strategy must follow before
 * any other is measured (it reuses the names' sizes measured here).
 */
export function measureStrategyProto(strategy: SamplingStrategy): number {
  const type = STRATEGY_TYPES[strategy.strategyType];
  const maxTraces = int32Of(strategy);
  const ops = strategy.operationSampling;
  let size = 1 + varintSize(type);
  if (strategy.probabilisticSampling) size += 2 + PROBABILISTIC_BYTES;
  if (maxTraces !== undefined) size += 2 + 1 + int32Size(maxTraces);
  if (ops) {
    const listed = ops.perOperationStrategies;
    if (nameBytes.length < listed.length) nameBytes = new Uint32Array(Math.max(listed.length, nameBytes.length * 2));
    let perOperationSize = 3 * 9;
    for (let i = 0; i < listed.length; i++) {
      const bytes = (nameBytes[i] = Buffer.byteLength(listed[i].operation));
      const operation = operationSize(bytes);
      perOperationSize += 1 + varintSize(operation) + operation;
    }
    measuredOperations = perOperationSize;
    size += 1 + varintSize(perOperationSize) + perOperationSize;
  }
  measuredStrategy = strategy;
  measured = size;
  return size;
}

/** Writes `strategy`, just measured, into `out` from `start`. */
export function writeStrategyProto(strategy: SamplingStrategy, out: Buffer, start: number): void {
  if (strategy !== measuredStrategy) throw new Error('a strategy is written right after it is measured');
  const maxTraces = int32Of(strategy);
  const ops = strategy.operationSampling;
  let at = start;
  out[at++] = KEY.strategyType;
  at = writeVarint(out, at, STRATEGY_TYPES[strategy.strategyType]);
  if (strategy.probabilisticSampling) {
    out[at++] = KEY.probabilisticSampling;
    out[at++] = PROBABILISTIC_BYTES;
    at = writeDouble(out, at, KEY.samplingRate, strategy.probabilisticSampling.samplingRate);
  }
  if (maxTraces !== undefined) {
    out[at++] = KEY.rateLimitingSampling;
    out[at++] = 1 + int32Size(maxTraces);
    out[at++] = KEY.maxTracesPerSecond;
    at = writeInt32(out, at, maxTraces);
  }
  if (ops) {
    const listed = ops.perOperationStrategies;
    out[at++] = KEY.operationSampling;
    at = writeVarint(out, at, measuredOperations);
    at = writeDouble(out, at, KEY.defaultSamplingProbability, ops.defaultSamplingProbability);
    at = writeDouble(out, at, KEY.defaultLowerBoundTracesPerSecond, ops.defaultLowerBoundTracesPerSecond);
    for (let i = 0; i < listed.length; i++) {
      const bytes = nameBytes[i];
      out[at++] = KEY.perOperationStrategies;
      at = writeVarint(out, at, operationSize(bytes));
      out[at++] = KEY.operation;
      at = writeVarint(out, at, bytes);
      at += out.write(listed[i].operation, at, bytes, 'utf8');
      out[at++] = KEY.operationProbabilisticSampling;
      out[at++] = PROBABILISTIC_BYTES;
      at = writeDouble(out, at, KEY.samplingRate, listed[i].probabilisticSampling.samplingRate);
    }
    at = writeDouble(out, at, KEY.defaultUpperBoundTracesPerSecond, ops.defaultUpperBoundTracesPerSecond);
  }
  // A strategy changed since it was measured would leave bytes unwritten or overrun.
  if (at - start !== measured) throw new Error(`strategy encoded in ${at - start} bytes where ${measured} were measured`);
}

/** int32 on the wire: protobufjs takes a fraction's integer part the same way. */
function int32Of(strategy: SamplingStrategy): number | undefined {
  return strategy.rateLimitingSampling ? strategy.rateLimitingSampling.maxTracesPerSecond | 0 : undefined;
}

/** An `OperationSamplingStrategy` naming an operation of `nameBytes` bytes. */
function operationSize(nameBytes: number): number {
  return 1 + varintSize(nameBytes) + nameBytes + OPERATION_RATE_BYTES;
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 127) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** A negative int32 goes on the wire as its 64-bit two's complement: ten bytes. */
function int32Size(value: number): number {
  return value < 0 ? 10 : varintSize(value);
}

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value > 127) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

function writeInt32(out: Buffer, at: number, value: number): number {
  if (value >= 0) return writeVarint(out, at, value);
  let rest = BigInt.asUintN(64, BigInt(value));
  for (let i = 0; i < 9; i++) {
    out[at++] = Number(rest & 127n) | 128;
    rest >>= 7n;
  }
  out[at++] = Number(rest);
  return at;
}

function writeDouble(out: Buffer, at: number, key: number, value: number): number {
  out[at++] = key;
  return out.writeDoubleLE(value, at);
}
