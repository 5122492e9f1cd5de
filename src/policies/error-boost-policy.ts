import { parseDurationMs } from '../config/duration';
import type { ErrorBoostPolicy } from '../sampling/policy';
import { FieldError } from '../errors/domain-error';

const FIELDS = ['targetErrorSamplesPerSecond', 'maxSamplingProbability', 'cooldown'] as const;

/**
 * Validates a policy's `errorBoost` (`false`, or an object of optional fields) and returns it
 * with only the fields given, in a fixed order; `field` is its path for the 400.
 */
export function parseErrorBoost(value: unknown, field: string): ErrorBoostPolicy {
  if (value === false) return false;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, 'must be false or an object');
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new FieldError(`${field}.${key}`, 'is not a known field');
  }
  const boost: Exclude<ErrorBoostPolicy, false> = {};
  const target = input.targetErrorSamplesPerSecond;
  if (target !== undefined) {
    if (typeof target !== 'number' || !Number.isFinite(target) || target <= 0) {
      throw new FieldError(`${field}.targetErrorSamplesPerSecond`, 'must be a number greater than 0');
    }
    boost.targetErrorSamplesPerSecond = target;
  }
  const max = input.maxSamplingProbability;
  if (max !== undefined) {
    if (typeof max !== 'number' || !Number.isFinite(max) || max <= 0 || max > 1) {
      throw new FieldError(`${field}.maxSamplingProbability`, 'must be a number above 0 and at most 1');
    }
    boost.maxSamplingProbability = max;
  }
  const cooldown = input.cooldown;
  if (cooldown !== undefined) {
    if (typeof cooldown !== 'string') throw new FieldError(`${field}.cooldown`, 'must be a duration such as 10m');
    try {
      parseDurationMs(cooldown);
    } catch (error) {
      throw new FieldError(`${field}.cooldown`, (error as Error).message);
    }
    boost.cooldown = cooldown.trim();
  }
  return boost;
}
