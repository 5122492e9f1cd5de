import { JAEGER_DEFAULTS } from './adaptive-options';
import type { AdaptiveCalculator, CalculationResult } from './calculator';
import { formatProbability } from './jaeger/format-probability';
import { JaegerCalculator, type JaegerCalculatorOptions } from './jaeger/jaeger-calculator';
import { type ThroughputRecord, mergeThroughput } from './throughput';
import { FieldError } from '../errors/domain-error';

/**
 * `samplane replay`: feeds recorded or hand-written throughput through an adaptive algorithm,
 * one leader tick per round, so that its probabilities can be inspected, diffed between
 * algorithms and pinned in golden tests without running the service.
 */

export type ReplayOptions = JaegerCalculatorOptions;

const CALCULATORS = {
  jaeger: (options: ReplayOptions): AdaptiveCalculator => new JaegerCalculator(options),
} satisfies Partial<Record<AdaptiveCalculator['algorithm'], (options: ReplayOptions) => AdaptiveCalculator>>;

export type ReplayAlgorithm = keyof typeof CALCULATORS;

export interface ReplayRound {
  intervalSeconds: number;
  throughput: ThroughputRecord[];
}

export interface ReplayInput {
  algorithm: ReplayAlgorithm;
  options: ReplayOptions;
  rounds: ReplayRound[];
}

export interface ReplayOutput {
  rounds: CalculationResult[];
}

/** Input that cannot be replayed; the message starts with the offending field's path. */
export class ReplayInputError extends FieldError {
  get path(): string {
    return this.field;
  }
}

export const REPLAY_DEFAULT_OPTIONS: ReplayOptions = {
  targetSamplesPerSecond: JAEGER_DEFAULTS.targetSamplesPerSecond,
  deltaTolerance: JAEGER_DEFAULTS.deltaTolerance,
  calculationBuckets: JAEGER_DEFAULTS.calculationBuckets,
  aggregationBuckets: JAEGER_DEFAULTS.aggregationBuckets,
  initialSamplingProbability: JAEGER_DEFAULTS.initialSamplingProbability,
  minSamplingProbability: JAEGER_DEFAULTS.minSamplingProbability,
  increaseCap: JAEGER_DEFAULTS.increaseCap,
};

type Check = (value: number) => boolean;

const OPTION_RULES: Record<keyof ReplayOptions, { check: Check; expected: string }> = {
  // Every rate is divided by the target, and a tolerance or cap below zero means nothing.
  targetSamplesPerSecond: { check: (v) => v > 0, expected: 'a positive number' },
  deltaTolerance: { check: (v) => v >= 0, expected: 'a non-negative number' },
  calculationBuckets: { check: (v) => Number.isInteger(v) && v >= 1, expected: 'a positive integer' },
  aggregationBuckets: { check: (v) => Number.isInteger(v) && v >= 1, expected: 'a positive integer' },
  initialSamplingProbability: { check: (v) => v > 0 && v <= 1, expected: 'a number in (0, 1]' },
  minSamplingProbability: { check: (v) => v >= 0 && v <= 1, expected: 'a number in [0, 1]' },
  increaseCap: { check: (v) => v > 0, expected: 'a positive number' },
};

/** Validates a parsed replay document; options not given take Jaeger's defaults. */
export function parseReplayInput(json: unknown): ReplayInput {
  const root = expectObject(json, '(root)', ['algorithm', 'options', 'rounds']);
  return {
    algorithm: parseAlgorithm(root.algorithm),
    options: parseOptions(root.options),
    rounds: expectArray(root.rounds, 'rounds').map((round, i) => parseRound(round, `rounds[${i}]`)),
  };
}

/** Runs every round as one leader tick: prepend the round's bucket, then calculate. */
export function runReplay(input: ReplayInput): ReplayOutput {
  const calculator = CALCULATORS[input.algorithm](input.options);
  const rounds = input.rounds.map((round) => {
    calculator.addBucket({ throughput: mergeThroughput(round.throughput), intervalSeconds: round.intervalSeconds });
    return calculator.calculate();
  });
  return { rounds };
}

function parseAlgorithm(value: unknown): ReplayAlgorithm {
  const known = Object.keys(CALCULATORS);
  if (typeof value !== 'string' || !Object.hasOwn(CALCULATORS, value)) {
    const names = known.map((name) => `"${name}"`).join(', ');
    throw new ReplayInputError('algorithm', `expected one of ${names}`);
  }
  return value as ReplayAlgorithm;
}

function parseOptions(value: unknown): ReplayOptions {
  const options = { ...REPLAY_DEFAULT_OPTIONS };
  if (value === undefined) return options;
  const names = Object.keys(OPTION_RULES) as (keyof ReplayOptions)[];
  const given = expectObject(value, 'options', names);
  for (const name of names) {
    const v = given[name];
    if (v === undefined) continue;
    const rule = OPTION_RULES[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !rule.check(v)) {
      throw new ReplayInputError(`options.${name}`, `expected ${rule.expected}`);
    }
    options[name] = v;
  }
  return options;
}

function parseRound(value: unknown, path: string): ReplayRound {
  const round = expectObject(value, path, ['intervalSeconds', 'throughput']);
  const intervalSeconds = round.intervalSeconds;
  if (typeof intervalSeconds !== 'number' || !Number.isFinite(intervalSeconds) || intervalSeconds <= 0) {
    throw new ReplayInputError(`${path}.intervalSeconds`, 'expected a positive number');
  }
  const throughput = expectArray(round.throughput, `${path}.throughput`).map((record, i) =>
    parseRecord(record, `${path}.throughput[${i}]`),
  );
  return { intervalSeconds, throughput };
}

function parseRecord(value: unknown, path: string): ThroughputRecord {
  const record = expectObject(value, path, ['service', 'operation', 'count', 'probabilities']);
  const service = expectName(record.service, `${path}.service`);
  const operation = expectName(record.operation, `${path}.operation`);
  const count = record.count;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new ReplayInputError(`${path}.count`, 'expected a non-negative integer');
  }
  const probabilities =
    record.probabilities === undefined
      ? []
      : expectArray(record.probabilities, `${path}.probabilities`).map((p, i) => {
          // Any sampler param joins the set in Jaeger (a rate limit's too), so only finiteness is required.
          if (typeof p !== 'number' || !Number.isFinite(p)) {
            throw new ReplayInputError(`${path}.probabilities[${i}]`, 'expected a number');
          }
          return formatProbability(p);
        });
  return { service, operation, count, probabilities };
}

function expectName(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new ReplayInputError(path, 'expected a non-empty string');
  return value;
}

function expectObject(value: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReplayInputError(path, 'expected an object');
  }
  // A misspelt field would otherwise be ignored and silently replaced by a default.
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) throw new ReplayInputError(childPath(path, key), 'unknown field');
  }
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ReplayInputError(path, 'expected a list');
  return value;
}

function childPath(path: string, key: string): string {
  return path === '(root)' ? key : `${path}.${key}`;
}
