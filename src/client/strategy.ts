/**
 * The strategy `GET /sampling` serves, reduced to what the sampler applies. Parsing is strict
 * about values (a rate outside [0, 1] is refused) so that a broken answer is rejected whole and
 * the sampler keeps its last good strategy, rather than applying part of it.
 */
export type ClientStrategy =
  | { kind: 'probabilistic'; probability: number }
  | { kind: 'rate-limiting'; maxTracesPerSecond: number }
  | {
      kind: 'per-operation';
      defaultProbability: number;
      /** Traces per second guaranteed to each operation; 0 means none. */
      lowerBound: number;
      operations: ReadonlyMap<string, number>;
    };

export class StrategyError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'StrategyError';
  }
}

/** proto3 enum values, which Jaeger v1 agents wrote as numbers. */
const STRATEGY_TYPES: Record<string, 'PROBABILISTIC' | 'RATE_LIMITING'> = {
  PROBABILISTIC: 'PROBABILISTIC',
  RATE_LIMITING: 'RATE_LIMITING',
  '0': 'PROBABILISTIC',
  '1': 'RATE_LIMITING',
};

/**
 * Reads proto-JSON as Jaeger clients do: `operationSampling`, when present, wins over the
 * strategy type (so a rate-limited service with per-operation rates is sampled per operation),
 * then `RATE_LIMITING`, then `PROBABILISTIC`. A missing `strategyType` is proto3's default,
 * `PROBABILISTIC` (the OTel Collector omits it). At most `maxOperations` per-operation entries
 * are kept, the first ones, as jaeger-client caps them.
 */
export function parseStrategy(text: string, maxOperations: number): ClientStrategy {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new StrategyError('(body)', 'not JSON');
  }
  const root = object(document, '(body)');
  const operationSampling = root.operationSampling;
  if (operationSampling !== undefined && operationSampling !== null) {
    return perOperation(object(operationSampling, 'operationSampling'), root, maxOperations);
  }
  const rawType = root.strategyType ?? 'PROBABILISTIC';
  const type = typeof rawType === 'string' || typeof rawType === 'number' ? STRATEGY_TYPES[String(rawType)] : undefined;
  if (type === undefined) throw new StrategyError('strategyType', `unknown value ${JSON.stringify(rawType)}`);
  if (type === 'RATE_LIMITING') {
    const limiting = object(root.rateLimitingSampling, 'rateLimitingSampling');
    const maxTracesPerSecond = number(limiting.maxTracesPerSecond, 'rateLimitingSampling.maxTracesPerSecond');
    if (maxTracesPerSecond < 0) throw new StrategyError('rateLimitingSampling.maxTracesPerSecond', 'negative');
    return { kind: 'rate-limiting', maxTracesPerSecond };
  }
  return { kind: 'probabilistic', probability: serviceRate(root) };
}

function perOperation(
  sampling: Record<string, unknown>,
  root: Record<string, unknown>,
  maxOperations: number,
): ClientStrategy {
  // Absent is proto3's zero; Samplane always writes it, but a default of 0 would silence
  // every unlisted operation, so the service rate stands in when one is given.
  const defaultProbability =
    sampling.defaultSamplingProbability === undefined && root.probabilisticSampling !== undefined
      ? serviceRate(root)
      : probability(sampling.defaultSamplingProbability ?? 0, 'operationSampling.defaultSamplingProbability');
  const lowerBound = number(
    sampling.defaultLowerBoundTracesPerSecond ?? 0,
    'operationSampling.defaultLowerBoundTracesPerSecond',
  );
  if (lowerBound < 0) throw new StrategyError('operationSampling.defaultLowerBoundTracesPerSecond', 'negative');
  const list = sampling.perOperationStrategies ?? [];
  if (!Array.isArray(list)) throw new StrategyError('operationSampling.perOperationStrategies', 'expected a list');
  const operations = new Map<string, number>();
  list.forEach((item: unknown, index) => {
    const path = `operationSampling.perOperationStrategies[${index}]`;
    const entry = object(item, path);
    if (typeof entry.operation !== 'string') throw new StrategyError(`${path}.operation`, 'expected a string');
    const rate = probability(
      object(entry.probabilisticSampling, `${path}.probabilisticSampling`).samplingRate,
      `${path}.probabilisticSampling.samplingRate`,
    );
    if (operations.size < maxOperations && !operations.has(entry.operation)) operations.set(entry.operation, rate);
  });
  return { kind: 'per-operation', defaultProbability, lowerBound, operations };
}

function serviceRate(root: Record<string, unknown>): number {
  return probability(
    object(root.probabilisticSampling, 'probabilisticSampling').samplingRate,
    'probabilisticSampling.samplingRate',
  );
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StrategyError(field, 'expected an object');
  }
  return value as Record<string, unknown>;
}

/** proto-JSON lets a number arrive as a string; NaN and the infinities are refused. */
function number(value: unknown, field: string): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed)) throw new StrategyError(field, 'expected a number');
  return parsed;
}

function probability(value: unknown, field: string): number {
  const p = number(value, field);
  if (p < 0 || p > 1) throw new StrategyError(field, `${p} is not a probability`);
  return p;
}
