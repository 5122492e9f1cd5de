import {
  INT32_MAX,
  type OperationStrategy,
  type PerOperationStrategies,
  type SamplingStrategy,
  probabilistic,
  rateLimiting,
} from './strategy';

/** Jaeger's file provider falls back to this rate wherever the file does not give one. */
export const FILE_DEFAULT_SAMPLING_PROBABILITY = 0.001;

export interface StaticStrategies {
  /** The file's `default_strategy`, for every service it does not name; absent if it has none. */
  defaultStrategy: SamplingStrategy | undefined;
  services: Map<string, SamplingStrategy>;
  /** Things Jaeger accepts with a warning (an unknown type, a rate-limited operation). */
  warnings: string[];
}

/** A file that cannot be used; the message names the offending field by its JSON path. */
export class StrategiesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategiesFileError';
  }
}

interface RawStrategy {
  type: string;
  param: number;
}

/**
 * Parses a Jaeger `strategies.json` with Jaeger's file-provider semantics: a service's
 * operation strategies default to the service's own rate; per-operation rate limiting is
 * dropped; a service without operation strategies inherits the default's, and both lists
 * merge (service entries first) when both have some. Unlike Jaeger it refuses values no SDK
 * can use — a probability outside [0, 1], a rate that does not fit int32 — because serving
 * them silently is worse than keeping the last good file.
 */
export function parseStrategiesFile(text: string): StaticStrategies {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new StrategiesFileError(`not valid JSON: ${(error as Error).message}`);
  }
  const result: StaticStrategies = { defaultStrategy: undefined, services: new Map(), warnings: [] };
  if (document === null) return result;
  const root = expectObject(document, '(root)');

  if (root.default_strategy !== undefined && root.default_strategy !== null) {
    result.defaultStrategy = parseServiceStrategy(root.default_strategy, 'default_strategy', result.warnings);
  }
  const services = root.service_strategies;
  if (services === undefined || services === null) return result;
  if (!Array.isArray(services)) throw new StrategiesFileError('service_strategies: expected a list');

  services.forEach((entry, index) => {
    const path = `service_strategies[${index}]`;
    const service = expectObject(entry, path).service;
    if (typeof service !== 'string' || service === '') {
      throw new StrategiesFileError(`${path}.service: expected a non-empty string`);
    }
    const strategy = parseServiceStrategy(entry, path, result.warnings);
    result.services.set(service, inheritDefaultOperations(strategy, result.defaultStrategy));
  });
  return result;
}

function inheritDefaultOperations(
  strategy: SamplingStrategy,
  defaultStrategy: SamplingStrategy | undefined,
): SamplingStrategy {
  const inherited = defaultStrategy?.operationSampling;
  if (!inherited) return strategy;
  const own = strategy.operationSampling;
  if (!own) {
    const copy: PerOperationStrategies = { ...inherited };
    if (strategy.probabilisticSampling) {
      copy.defaultSamplingProbability = strategy.probabilisticSampling.samplingRate;
    }
    return { ...strategy, operationSampling: copy };
  }
  const named = new Set(own.perOperationStrategies.map((op) => op.operation));
  const merged = [
    ...own.perOperationStrategies,
    ...inherited.perOperationStrategies.filter((op) => !named.has(op.operation)),
  ];
  return { ...strategy, operationSampling: { ...own, perOperationStrategies: merged } };
}

function parseServiceStrategy(value: unknown, path: string, warnings: string[]): SamplingStrategy {
  const entry = expectObject(value, path);
  const strategy = toStrategy(readStrategy(entry, path), path, warnings);
  const operations = entry.operation_strategies;
  if (operations === undefined || operations === null) return strategy;
  if (!Array.isArray(operations)) {
    throw new StrategiesFileError(`${path}.operation_strategies: expected a list`);
  }
  if (operations.length === 0) return strategy;

  const defaultSamplingProbability =
    strategy.probabilisticSampling?.samplingRate ?? FILE_DEFAULT_SAMPLING_PROBABILITY;
  const perOperationStrategies: OperationStrategy[] = [];
  operations.forEach((item, index) => {
    const opPath = `${path}.operation_strategies[${index}]`;
    const op = expectObject(item, opPath);
    if (typeof op.operation !== 'string' || op.operation === '') {
      throw new StrategiesFileError(`${opPath}.operation: expected a non-empty string`);
    }
    const parsed = toStrategy(readStrategy(op, opPath), opPath, warnings);
    if (!parsed.probabilisticSampling) {
      warnings.push(
        `${opPath}: operation "${op.operation}" is rate limited, which operation strategies do not ` +
          `support; it is dropped and samples at ${defaultSamplingProbability}`,
      );
      return;
    }
    perOperationStrategies.push({
      operation: op.operation,
      probabilisticSampling: { samplingRate: parsed.probabilisticSampling.samplingRate },
    });
  });
  return {
    ...strategy,
    operationSampling: {
      defaultSamplingProbability,
      defaultLowerBoundTracesPerSecond: 0,
      perOperationStrategies,
      defaultUpperBoundTracesPerSecond: 0,
    },
  };
}

function readStrategy(entry: Record<string, unknown>, path: string): RawStrategy {
  const { type, param } = entry;
  if (type !== undefined && type !== null && typeof type !== 'string') {
    throw new StrategiesFileError(`${path}.type: expected a string`);
  }
  if (param !== undefined && param !== null && typeof param !== 'number') {
    throw new StrategiesFileError(`${path}.param: expected a number`);
  }
  // Go zero values: Jaeger reads a missing type as "" and a missing param as 0.
  return { type: typeof type === 'string' ? type : '', param: typeof param === 'number' ? param : 0 };
}

function toStrategy(raw: RawStrategy, path: string, warnings: string[]): SamplingStrategy {
  switch (raw.type) {
    case 'probabilistic':
      if (raw.param < 0 || raw.param > 1) {
        throw new StrategiesFileError(`${path}.param: ${raw.param} is not a probability (0 to 1)`);
      }
      return probabilistic(raw.param);
    case 'ratelimiting': {
      const max = Math.trunc(raw.param);
      if (max < 0 || max > INT32_MAX) {
        throw new StrategiesFileError(
          `${path}.param: ${raw.param} is not a rate limit (0 to ${INT32_MAX} traces per second)`,
        );
      }
      return rateLimiting(max);
    }
    default:
      warnings.push(
        `${path}.type: "${raw.type}" is neither probabilistic nor ratelimiting; ` +
          `probabilistic ${FILE_DEFAULT_SAMPLING_PROBABILITY} is used instead`,
      );
      return probabilistic(FILE_DEFAULT_SAMPLING_PROBABILITY);
  }
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StrategiesFileError(`${path}: expected an object`);
  }
  return value as Record<string, unknown>;
}
