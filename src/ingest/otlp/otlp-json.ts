import { FieldError } from '../../errors/domain-error';
import type { DecodedSpans } from './otlp-decode';
import { type AttributeValue, type RootSpan, nanosToMs, samplingFacts, setSampledAgo } from './root-span';

const STATUS_ERROR = 2;

type Json = Record<string, unknown>;

/**
 * OTLP/JSON → root spans. The JSON mapping differs from proto3's canonical one (ids are hex,
 * enums are integers, 64-bit integers may be strings), so it is read by hand rather than
 * through the protobuf decoder.
 */
export function decodeJsonSpans(body: unknown): DecodedSpans {
  const out: DecodedSpans = { roots: [], rejected: 0, rejectedReason: undefined };
  const started: { span: RootSpan; startMs: number | undefined }[] = [];
  let newestEnd: number | undefined;
  const request = asObject(body, '(body)');
  const resourceSpans = asList(request.resourceSpans ?? request.resource_spans, 'resourceSpans');
  resourceSpans.forEach((rs, i) => {
    const resourceSpan = asObject(rs, `resourceSpans[${i}]`);
    const resource = resourceSpan.resource === undefined ? {} : asObject(resourceSpan.resource, `resourceSpans[${i}].resource`);
    const service = attributeValue(resource.attributes, 'service.name');
    const scopeSpans = asList(resourceSpan.scopeSpans ?? resourceSpan.scope_spans, `resourceSpans[${i}].scopeSpans`);
    scopeSpans.forEach((ss, j) => {
      const spans = asList(asObject(ss, `resourceSpans[${i}].scopeSpans[${j}]`).spans, `resourceSpans[${i}].scopeSpans[${j}].spans`);
      spans.forEach((s, k) => {
        const span = asObject(s, `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`);
        const end = nanosToMs(span.endTimeUnixNano ?? span.end_time_unix_nano);
        if (end !== undefined && (newestEnd === undefined || end > newestEnd)) newestEnd = end;
        const parent = span.parentSpanId ?? span.parent_span_id;
        if (typeof parent === 'string' && parent !== '') return;
        if (typeof service !== 'string' || service === '') {
          out.rejected++;
          out.rejectedReason = 'resource attribute service.name is missing';
          return;
        }
        const traceState = span.traceState ?? span.trace_state;
        const facts = samplingFacts(
          (key) => attributeValue(span.attributes, key),
          typeof traceState === 'string' && traceState !== '' ? traceState : undefined,
        );
        const status = typeof span.status === 'object' && span.status !== null ? (span.status as Json) : {};
        const rootSpan: RootSpan = {
          service,
          operation: typeof span.name === 'string' ? span.name : '',
          probability: facts.probability,
          counts: facts.counts,
          error: status.code === STATUS_ERROR || status.code === 'STATUS_CODE_ERROR',
        };
        out.roots.push(rootSpan);
        started.push({ span: rootSpan, startMs: nanosToMs(span.startTimeUnixNano ?? span.start_time_unix_nano) });
      });
    });
  });
  setSampledAgo(started, newestEnd);
  return out;
}

function attributeValue(attributes: unknown, key: string): AttributeValue {
  if (!Array.isArray(attributes)) return undefined;
  for (const entry of attributes) {
    if (typeof entry !== 'object' || entry === null || (entry as Json).key !== key) continue;
    const value = (entry as Json).value;
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Json;
    if (typeof v.stringValue === 'string') return v.stringValue;
    if (typeof v.doubleValue === 'number') return v.doubleValue;
    if (typeof v.intValue === 'number') return v.intValue;
    if (typeof v.intValue === 'string') return Number(v.intValue);
    if (typeof v.boolValue === 'boolean') return v.boolValue;
    return undefined;
  }
  return undefined;
}

function asObject(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, 'expected an object');
  }
  return value as Json;
}

function asList(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new FieldError(field, 'expected a list');
  return value;
}
