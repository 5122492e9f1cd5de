/**
 * Probability decisions on the trace id, as OpenTelemetry's consistent probability sampling
 * takes them: a trace is kept when the last 56 bits of its id (the part W3C Trace Context
 * makes random), read as R, reach the rejection threshold T = 2^56 − round(p · 2^56) — the
 * `th` of tracestate `ot=th:`. The same id always gets the same answer, and a trace kept at
 * probability p is kept at every higher one.
 *
 * 56 bits do not fit a double exactly, so R and T are compared as two 28-bit halves.
 */
export interface Threshold {
  readonly high: number;
  readonly low: number;
}

const HALF = 2n ** 28n;

export function thresholdFor(probability: number): Threshold {
  const kept = BigInt(Math.round(probability * 2 ** 56));
  const rejected = 2n ** 56n - kept;
  return { high: Number(rejected / HALF), low: Number(rejected % HALF) };
}

/**
 * `traceId` is 32 hex digits. Allocation-free: this runs for every root span. A malformed id
 * reads as NaN and is never kept.
 */
export function keptAt(traceId: string, high: number, low: number): boolean {
  const r = hex28(traceId, 18);
  if (r !== high) return r > high;
  return hex28(traceId, 25) >= low;
}

function hex28(id: string, from: number): number {
  let value = 0;
  for (let i = from; i < from + 7; i++) {
    const c = id.charCodeAt(i);
    // '0'–'9' → 0–9; 'a'–'f' and 'A'–'F' (folded to lower case by | 32) → 10–15.
    value = value * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
  }
  return value;
}
