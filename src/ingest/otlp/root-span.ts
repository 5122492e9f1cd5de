/** What Samplane needs of one root span. */
export interface RootSpan {
  service: string;
  operation: string;
  /** From sampler tags or tracestate; undefined means "as Samplane served it". */
  probability: number | undefined;
  /**
   * Jaeger's rule: a span tagged with a sampler type counts only if that type is
   * `probabilistic`; other recognised types still contribute their probability.
   */
  counts: boolean;
  error: boolean;
}

/** Attribute values as both OTLP encodings deliver them, reduced to what we read. */
export type AttributeValue = string | number | boolean | undefined;

const SAMPLER_TYPES = new Set(['probabilistic', 'lowerbound', 'ratelimiting', 'const']);
const TWO_POW_56 = 2 ** 56;

/**
 * Reads a root span's sampling facts in order of trust: the sampler tags a Jaeger-style SDK
 * writes (`sampler.type`/`sampler.param`, or the `jaeger.`-prefixed ones of OTel Go), then the
 * W3C tracestate `ot=th:` threshold of OTel's consistent probability sampling.
 */
export function samplingFacts(
  attribute: (key: string) => AttributeValue,
  traceState: string | undefined,
): { probability: number | undefined; counts: boolean } {
  const type = attribute('sampler.type') ?? attribute('jaeger.sampler.type');
  const param = toNumber(attribute('sampler.param') ?? attribute('jaeger.sampler.param'));
  if (typeof type === 'string' && SAMPLER_TYPES.has(type) && param !== undefined) {
    return { probability: param >= 0 && param <= 1 ? param : undefined, counts: type === 'probabilistic' };
  }
  if (param !== undefined && param >= 0 && param <= 1) return { probability: param, counts: true };
  return { probability: traceState ? probabilityFromTraceState(traceState) : undefined, counts: true };
}

/**
 * `ot=th:T` (rejection threshold, hex, trailing zeros dropped) → p = 1 − T/2^56; the older
 * `ot=p:P` → 2^−P. Anything malformed means "unknown", never 1.
 */
export function probabilityFromTraceState(traceState: string): number | undefined {
  for (const member of traceState.split(',')) {
    const trimmed = member.trim();
    if (!trimmed.startsWith('ot=')) continue;
    for (const field of trimmed.slice(3).split(';')) {
      if (field.startsWith('th:')) {
        const hex = field.slice(3);
        if (!/^[0-9a-f]{1,14}$/.test(hex)) return undefined;
        const threshold = parseInt(hex.padEnd(14, '0'), 16);
        return 1 - threshold / TWO_POW_56;
      }
      if (field.startsWith('p:')) {
        const exponent = Number(field.slice(2));
        if (!Number.isInteger(exponent) || exponent < 0 || exponent > 63) return undefined;
        return 2 ** -exponent;
      }
    }
  }
  return undefined;
}

function toNumber(value: AttributeValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}
