import { MAX_DURATION_MS, parseDurationMs } from './duration';

/** Each parser returns the typed value or throws with a reason; the caller adds the variable. */
export type Parser<T> = (raw: string) => T;

export const text: Parser<string> = (raw) => raw;

export const port: Parser<number> = (raw) => {
  const value = strictNumber(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`"${raw}" is not a port (an integer from 0 to 65535)`);
  }
  return value;
};

export const duration: Parser<number> = (raw) => parseDurationMs(raw);

export function positiveDuration(raw: string): number {
  const value = parseDurationMs(raw);
  if (value <= 0) throw new Error(`"${raw}" must be longer than zero`);
  return value;
}

/** For durations clients are told in whole seconds: X-Ray's targets Interval, `Keep-Alive: timeout=N`. */
export function inWholeSeconds(parse: Parser<number>): Parser<number> {
  return (raw) => {
    const ms = parse(raw);
    if (ms % 1000 !== 0) throw new Error(`"${raw}" must be whole seconds`);
    return ms;
  };
}

/** Node closes an idle connection a second after the timeout it advertises: that timer must fit too. */
const LONGEST_KEEP_ALIVE_S = Math.floor((MAX_DURATION_MS - 1000) / 1000);

const wholeSeconds = inWholeSeconds(duration);

/** `0s` (never closed) or whole seconds; see `inWholeSeconds`. */
export const keepAliveTimeout: Parser<number> = (raw) => {
  const ms = wholeSeconds(raw);
  if (ms > LONGEST_KEEP_ALIVE_S * 1000) throw new Error(`"${raw}" is longer than ${LONGEST_KEEP_ALIVE_S}s (about 24 days)`);
  return ms;
};

export const probability: Parser<number> = (raw) => {
  const value = strictNumber(raw);
  if (value < 0 || value > 1) throw new Error(`"${raw}" is not a probability (from 0 to 1)`);
  return value;
};

export const nonNegative: Parser<number> = (raw) => {
  const value = strictNumber(raw);
  if (value < 0) throw new Error(`"${raw}" must not be negative`);
  return value;
};

export const positive: Parser<number> = (raw) => {
  const value = strictNumber(raw);
  if (value <= 0) throw new Error(`"${raw}" must be greater than zero`);
  return value;
};

export const positiveInteger: Parser<number> = (raw) => {
  const value = strictNumber(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`"${raw}" is not a whole number of at least 1`);
  }
  return value;
};

export function oneOf<T extends string>(...allowed: T[]): Parser<T> {
  return (raw) => {
    const value = raw.trim().toLowerCase() as T;
    if (!allowed.includes(value)) {
      throw new Error(`"${raw}" is not one of ${allowed.join(', ')}`);
    }
    return value;
  };
}

export const redisUrl: Parser<string> = (raw) => {
  const url = parseUrl(raw);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`"${redact(raw)}" is not a redis:// or rediss:// URL`);
  }
  return raw;
};

export const postgresUrl: Parser<string> = (raw) => {
  const url = parseUrl(raw);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`"${redact(raw)}" is not a postgres:// URL`);
  }
  return raw;
};

/** Accepts `1.5`, `1/60` (as Jaeger's documentation writes rates) and rejects `1.5x` or ``. */
function strictNumber(raw: string): number {
  const trimmed = raw.trim();
  const fraction = /^([0-9.eE+-]+)\/([0-9.eE+-]+)$/.exec(trimmed);
  const value = fraction ? Number(fraction[1]) / Number(fraction[2]) : Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) throw new Error(`"${raw}" is not a number`);
  return value;
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new Error(`"${redact(raw)}" is not a URL`);
  }
}

/**
 * Connection strings carry passwords; an error message must not print them. Greedy up to the
 * last `@`, because passwords written unencoded may themselves hold `@` or `/`.
 */
function redact(raw: string): string {
  return raw.replace(/\/\/.*@/, '//***@');
}
