import type { Probabilities } from './calculator';

/**
 * A record keyed by names that come from spans: without a prototype, names such as
 * `constructor` or `__proto__` are ordinary keys.
 */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `record[key]` when the record itself holds it: for maps keyed by names from spans and
 * operators, `constructor` or `toString` finds only what was recorded, never Object.prototype's.
 */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A deep copy, so a calculator never shares its state with what it was given or returns. */
export function copyProbabilities(probabilities: Probabilities): Probabilities {
  const copy = dictionary<Record<string, number>>();
  for (const [service, operations] of Object.entries(probabilities)) {
    copy[service] = Object.assign(dictionary<number>(), operations);
  }
  return copy;
}
