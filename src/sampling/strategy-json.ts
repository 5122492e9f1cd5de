import { quoted } from '../common/json-quote';
import type { PerOperationStrategies, SamplingStrategy } from './strategy';

/**
 * Encodes a strategy as proto-JSON in the one form every real poller accepts (Jaeger's and OpenTelemetry's SDKs in Go, Java, Python and JS):
 * keys in proto field order, the enum as a string, unset sub-messages omitted, every field of
 * a present sub-message written (zeros included) and empty lists as `[]`. Written by hand
 * rather than with `JSON.stringify(object)` so the key order is a property of this function,
 * not of how some caller happened to build the object.
 */
export function encodeStrategyJson(strategy: SamplingStrategy): string {
  let out = `{"strategyType":"${strategy.strategyType}"`;
  if (strategy.probabilisticSampling) {
    out += `,"probabilisticSampling":{"samplingRate":${num(strategy.probabilisticSampling.samplingRate)}}`;
  }
  if (strategy.rateLimitingSampling) {
    out += `,"rateLimitingSampling":{"maxTracesPerSecond":${num(strategy.rateLimitingSampling.maxTracesPerSecond)}}`;
  }
  if (strategy.operationSampling) {
    out += `,"operationSampling":${encodeOperationSampling(strategy.operationSampling)}`;
  }
  return out + '}';
}

function encodeOperationSampling(ops: PerOperationStrategies): string {
  let items = '';
  const listed = ops.perOperationStrategies;
  for (let i = 0; i < listed.length; i++) {
    const op = listed[i];
    items += `${i === 0 ? '' : ','}{"operation":${quoted(op.operation)},"probabilisticSampling":{"samplingRate":${num(op.probabilisticSampling.samplingRate)}}}`;
  }
  return (
    `{"defaultSamplingProbability":${num(ops.defaultSamplingProbability)}` +
    `,"defaultLowerBoundTracesPerSecond":${num(ops.defaultLowerBoundTracesPerSecond)}` +
    `,"perOperationStrategies":[${items}]` +
    `,"defaultUpperBoundTracesPerSecond":${num(ops.defaultUpperBoundTracesPerSecond)}}`
  );
}

/** A NaN or Infinity would make the document unparseable for every client: fail loudly here. */
function num(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value} in a strategy`);
  return JSON.stringify(value);
}
