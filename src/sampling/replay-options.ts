import { FieldError } from '../errors/domain-error';
import { JAEGER_DEFAULTS } from './adaptive-options';
import type { JaegerCalculatorOptions } from './jaeger/jaeger-calculator';
import { ERROR_BOOST_DEFAULTS, type SamplaneCalculatorOptions } from './samplane/samplane-options';

/** The options of a `jaeger` replay. */
export type ReplayOptions = JaegerCalculatorOptions;
/** The options of a `samplane` replay, its error boost always spelt out. */
export type SamplaneReplayOptions = Required<SamplaneCalculatorOptions>;

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

/** The service's defaults for `samplane`: Jaeger's knobs, ADAPTIVE_MAX_OPERATIONS's and the error boost's. */
export const SAMPLANE_REPLAY_DEFAULT_OPTIONS: SamplaneReplayOptions = {
  targetSamplesPerSecond: JAEGER_DEFAULTS.targetSamplesPerSecond,
  deltaTolerance: JAEGER_DEFAULTS.deltaTolerance,
  aggregationBuckets: JAEGER_DEFAULTS.aggregationBuckets,
  initialSamplingProbability: JAEGER_DEFAULTS.initialSamplingProbability,
  minSamplingProbability: JAEGER_DEFAULTS.minSamplingProbability,
  minSamplesPerSecond: JAEGER_DEFAULTS.minSamplesPerSecond,
  maxOperations: 2000,
  errorBoost: ERROR_BOOST_DEFAULTS,
};

interface Rule {
  check: (value: number) => boolean;
  expected: string;
}

const positiveInteger: Rule = { check: (v) => Number.isInteger(v) && v >= 1, expected: 'a positive integer' };
const COMMON_RULES = {
  // Every rate is divided by the target, and a tolerance or cap below zero means nothing.
  targetSamplesPerSecond: { check: (v) => v > 0, expected: 'a positive number' },
  deltaTolerance: { check: (v) => v >= 0, expected: 'a non-negative number' },
  aggregationBuckets: positiveInteger,
  initialSamplingProbability: { check: (v) => v > 0 && v <= 1, expected: 'a number in (0, 1]' },
  minSamplingProbability: { check: (v) => v >= 0 && v <= 1, expected: 'a number in [0, 1]' },
} satisfies Record<string, Rule>;

const JAEGER_RULES: Record<keyof ReplayOptions, Rule> = {
  ...COMMON_RULES,
  calculationBuckets: positiveInteger,
  increaseCap: { check: (v) => v > 0, expected: 'a positive number' },
};

type SamplaneNumbers = Omit<SamplaneReplayOptions, 'errorBoost'>;
type BoostNumbers = Omit<SamplaneReplayOptions['errorBoost'], 'enabled'>;

const SAMPLANE_RULES: Record<keyof SamplaneNumbers, Rule> = {
  ...COMMON_RULES,
  minSamplesPerSecond: { check: (v) => v >= 0, expected: 'a non-negative number' },
  maxOperations: positiveInteger,
};

const BOOST_RULES: Record<keyof BoostNumbers, Rule> = {
  targetErrorSamplesPerSecond: { check: (v) => v > 0, expected: 'a positive number' },
  maxSamplingProbability: { check: (v) => v > 0 && v <= 1, expected: 'a number in (0, 1]' },
  cooldownSeconds: { check: (v) => v >= 0, expected: 'a non-negative number' },
};

/** `jaeger`'s options: those not given take Jaeger's defaults. */
export function parseJaegerOptions(value: unknown): ReplayOptions {
  return parseNumbers(value, 'options', REPLAY_DEFAULT_OPTIONS, JAEGER_RULES);
}

/** `samplane`'s options: those not given (error boost fields included) take the service's defaults. */
export function parseSamplaneOptions(value: unknown): SamplaneReplayOptions {
  const { errorBoost: defaultBoost, ...defaults } = SAMPLANE_REPLAY_DEFAULT_OPTIONS;
  if (value === undefined) return { ...defaults, errorBoost: { ...defaultBoost } };
  const { errorBoost, ...numbers } = expectObject(value, 'options', [...Object.keys(SAMPLANE_RULES), 'errorBoost']);
  const options = { ...parseNumbers(numbers, 'options', defaults, SAMPLANE_RULES), errorBoost: { ...defaultBoost } };
  if (errorBoost === undefined) return options;
  const { enabled, ...boostNumbers } = expectObject(errorBoost, 'options.errorBoost', ['enabled', ...Object.keys(BOOST_RULES)]);
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw new ReplayInputError('options.errorBoost.enabled', 'expected true or false');
  }
  const { enabled: defaultEnabled, ...boostDefaults } = defaultBoost;
  options.errorBoost = {
    enabled: enabled ?? defaultEnabled,
    ...parseNumbers(boostNumbers, 'options.errorBoost', boostDefaults, BOOST_RULES),
  };
  return options;
}

/** `defaults` with the numbers given, each checked by its rule; any other field is unknown. */
function parseNumbers<T extends object>(value: unknown, path: string, defaults: T, rules: Record<keyof T, Rule>): T {
  const options = { ...defaults };
  if (value === undefined) return options;
  const names = Object.keys(rules) as (keyof T & string)[];
  const given = expectObject(value, path, names);
  for (const name of names) {
    const v = given[name];
    if (v === undefined) continue;
    const rule = rules[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !rule.check(v)) {
      throw new ReplayInputError(`${path}.${name}`, `expected ${rule.expected}`);
    }
    (options as Record<string, unknown>)[name] = v;
  }
  return options;
}

export function expectObject(value: unknown, path: string, fields: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReplayInputError(path, 'expected an object');
  }
  // A misspelt field would otherwise be ignored and silently replaced by a default.
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) throw new ReplayInputError(childPath(path, key), 'unknown field');
  }
  return value as Record<string, unknown>;
}

function childPath(path: string, key: string): string {
  return path === '(root)' ? key : `${path}.${key}`;
}
