const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Durations end up as Node timers, and Node silently turns a delay above 2^31 − 1 ms
 * (about 24.8 days) into 1 ms: "reload every 1000h" would become a busy loop.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * Parses durations the way operators write them in Jaeger and Kubernetes manifests:
 * `250ms`, `10s`, `1m`, `1h`, or a sum such as `1m30s`. A bare number is refused on
 * purpose: `60` could mean seconds or milliseconds, and guessing wrong is silent.
 */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) {
      throw new Error(`"${text}" is not a duration (write it like 250ms, 10s, 1m or 1h)`);
    }
    total += Number(match[1]) * UNIT_MS[match[2]];
    index = part.lastIndex;
  }
  if (trimmed.length === 0) {
    throw new Error('an empty value is not a duration (write it like 250ms, 10s, 1m or 1h)');
  }
  const ms = Math.round(total);
  if (ms > MAX_DURATION_MS) {
    throw new Error(`"${text}" is longer than ${MAX_DURATION_MS} ms (about 24 days)`);
  }
  return ms;
}
