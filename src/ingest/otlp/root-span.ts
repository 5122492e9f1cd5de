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
  /**
   * How long before the newest span of its export request ended this span started, in ms: how
   * long ago it was sampled, at least, read from the sender's own clock so that no skew between
   * clocks enters it. Undefined without timestamps.
   */
  sampledAgoMs?: number;
}

/**
 * A span timestamp (unix nanoseconds, as protobuf's fixed64 or OTLP/JSON's string or number)
 * in ms; undefined when absent or zero.
 */
export function nanosToMs(value: unknown): number | undefined {
  const nanos =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,20}$/.test(value)
        ? Number(value)
        : typeof value === 'object' && value !== null && typeof (value as { toNumber?: unknown }).toNumber === 'function'
          ? (value as { toNumber(): number }).toNumber()
          : undefined;
  return nanos !== undefined && Number.isFinite(nanos) && nanos > 0 ? nanos / 1e6 : undefined;
}

/**
 * Sets each root's `sampledAgoMs` from its start time (ms) and the newest end time of any span
 * in its request (`newestEnd`, ms): an exporter sends a batch soon after its newest span ends.
 */
export function setSampledAgo(roots: { span: RootSpan; startMs: number | undefined }[], newestEnd: number | undefined): void {
  if (newestEnd === undefined) return;
  for (const { span, startMs } of roots) {
    if (startMs !== undefined) span.sampledAgoMs = Math.max(0, newestEnd - startMs);
  }
}

/** Attribute values as both OTLP encodings deliver them, reduced to what we read. */
export type AttributeValue = string | number | boolean | undefined;

const SAMPLER_TYPES = new Set(['probabilistic', 'lowerbound', 'ratelimiting', 'const']);
const TWO_POW_56 = 2 ** 56;
const TWO_POW_56_BIG = 2n ** 56n;

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
  if (type !== undefined) {
    // A span tagged by a Jaeger-style sampler counts only as Jaeger counts it: a probabilistic
    // decision with a numeric param. Any other tagged span (an unknown type, jaeger-client's
    // boolean `const` param) says it was not sampled by probability, so it must not count.
    const recognised = typeof type === 'string' && SAMPLER_TYPES.has(type) && param !== undefined;
    return {
      probability: recognised && param >= 0 && param <= 1 ? param : undefined,
      counts: recognised && type === 'probabilistic',
    };
  }
  if (param !== undefined && param >= 0 && param <= 1) return { probability: param, counts: true };
  return { probability: traceState ? probabilityFromTraceState(traceState) : undefined, counts: true };
}

/**
 * `ot=th:T` (rejection threshold, hex, trailing zeros dropped) → p = 1 − T/2^56; the older
 * `ot=p:P` → 2^−P. Anything malformed means "unknown", never 1.
 */
export function probabilityFromTraceState(traceState: string): number | undefined {
  // An SDK writes the same few tracestates span after span: each is parsed once.
  const known = TRACE_STATES.get(traceState);
  if (known !== undefined || TRACE_STATES.has(traceState)) return known;
  const probability = parseTraceState(traceState);
  // Only tracestates of the size W3C allows are kept: a body may carry megabytes in one.
  if (traceState.length > TRACE_STATE_MAX_LENGTH) return probability;
  if (TRACE_STATES.size >= TRACE_STATES_KEPT) TRACE_STATES.clear();
  TRACE_STATES.set(traceState, probability);
  return probability;
}

const TRACE_STATES = new Map<string, number | undefined>();
const TRACE_STATES_KEPT = 256;
const TRACE_STATE_MAX_LENGTH = 512;

function parseTraceState(traceState: string): number | undefined {
  for (const member of traceState.split(',')) {
    const trimmed = member.trim();
    if (!trimmed.startsWith('ot=')) continue;
    for (const field of trimmed.slice(3).split(';')) {
      if (field.startsWith('th:')) {
        const hex = field.slice(3);
        if (!/^[0-9a-f]{1,14}$/.test(hex)) return undefined;
        // 56 bits do not fit a double: subtracting in BigInt keeps small probabilities exact
        // instead of rounding the largest thresholds to probability 0.
        const rejected = BigInt(`0x${hex.padEnd(14, '0')}`);
        return Number(TWO_POW_56_BIG - rejected) / TWO_POW_56;
      }
      if (field.startsWith('p:')) {
        // Digits only: Number() would read '' as 0 (probability 1), and accept ' 3' or '0x3'.
        const digits = field.slice(2);
        if (!/^\d{1,2}$/.test(digits) || Number(digits) > 63) return undefined;
        return 2 ** -Number(digits);
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
