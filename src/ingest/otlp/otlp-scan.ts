import type { DecodedSpans } from './otlp-decode';
import { I64, LEN, MalformedProtobuf, VARINT, WireReader, bytesEqual } from './protobuf-wire';
import { type AttributeValue, type RootSpan, nanosToMs, samplingFacts, setSampledAgo } from './root-span';

// Field numbers of opentelemetry/proto/collector/trace/v1 and the messages it uses.
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const RESOURCE_ATTRIBUTES = 1;
const SCOPE_SPANS_SPANS = 2;
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_TRACE_STATE = 3;
const SPAN_PARENT_SPAN_ID = 4;
const SPAN_NAME = 5;
const SPAN_START = 7;
const SPAN_END = 8;
const SPAN_ATTRIBUTES = 9;
const SPAN_STATUS = 15;
const STATUS_MESSAGE = 2;
const STATUS_CODE = 3;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;

const STATUS_ERROR = 2;

const encoder = new TextEncoder();
const SERVICE_NAME = encoder.encode('service.name');
/** The span attributes `samplingFacts` asks for. */
const SAMPLING_KEYS = ['sampler.type', 'jaeger.sampler.type', 'sampler.param', 'jaeger.sampler.param'] as const;
const SAMPLING_KEY_BYTES = SAMPLING_KEYS.map((key) => encoder.encode(key));

/** Root spans of an ExportTraceServiceRequest, as they read from the message decoded into objects. */
export function scanRequest(request: WireReader): DecodedSpans {
  const out: DecodedSpans = { roots: [], rejected: 0, rejectedReason: undefined };
  const started: { span: RootSpan; startMs: number | undefined }[] = [];
  const newestEnd = { ms: undefined as number | undefined };
  while (!request.done) {
    const tag = request.tag();
    if (tag >>> 3 === REQUEST_RESOURCE_SPANS) scanResourceSpans(sub(request, tag), out, started, newestEnd);
    else request.skip(tag & 7);
  }
  setSampledAgo(started, newestEnd.ms);
  return out;
}

function scanResourceSpans(
  resourceSpans: WireReader,
  out: DecodedSpans,
  started: { span: RootSpan; startMs: number | undefined }[],
  newestEnd: { ms: number | undefined },
): void {
  // The resource may follow its spans on the wire: found first, then the spans read.
  let resource: WireReader | undefined;
  const scopes: WireReader[] = [];
  while (!resourceSpans.done) {
    const tag = resourceSpans.tag();
    const field = tag >>> 3;
    // A message field given twice is the last one, as decoders read it.
    if (field === RESOURCE_SPANS_RESOURCE) {
      // Each one read, so that a malformed one is refused even where a later one replaces it.
      if (resource) serviceName(resource);
      resource = sub(resourceSpans, tag);
    }
    else if (field === RESOURCE_SPANS_SCOPE_SPANS) scopes.push(sub(resourceSpans, tag));
    else resourceSpans.skip(tag & 7);
  }
  const service = resource ? serviceName(resource) : undefined;
  const span = new SpanFields();
  for (const scope of scopes) {
    while (!scope.done) {
      const tag = scope.tag();
      if (tag >>> 3 !== SCOPE_SPANS_SPANS) {
        scope.skip(tag & 7);
        continue;
      }
      span.read(sub(scope, tag));
      const end = nanosToMs(span.end);
      if (end !== undefined && (newestEnd.ms === undefined || end > newestEnd.ms)) newestEnd.ms = end;
      if (span.child) continue;
      if (typeof service !== 'string' || service === '') {
        out.rejected++;
        out.rejectedReason = 'resource attribute service.name is missing';
        continue;
      }
      const facts = samplingFacts((key) => span.attribute(key), span.traceState || undefined);
      const root: RootSpan = { service, operation: span.name, probability: facts.probability, counts: facts.counts, error: span.error };
      out.roots.push(root);
      started.push({ span: root, startMs: nanosToMs(span.start) });
    }
  }
}

/** The resource's `service.name`: the first attribute of that name, whatever its value, as a lookup by name finds it. */
function serviceName(resource: WireReader): AttributeValue {
  let found = false;
  let service: AttributeValue;
  while (!resource.done) {
    const tag = resource.tag();
    if (tag >>> 3 !== RESOURCE_ATTRIBUTES) {
      resource.skip(tag & 7);
      continue;
    }
    const attribute = keyValue(sub(resource, tag));
    if (!found && bytesEqual(attribute.bytes, attribute.keyStart, attribute.keyEnd, SERVICE_NAME)) {
      found = true;
      service = anyValue(attribute.value);
    } else checkAnyValue(attribute.value);
  }
  return service;
}

/** One span's fields that a root's count needs, reused from span to span. */
class SpanFields {
  traceState = '';
  child = false;
  name = '';
  start = 0;
  end = 0;
  error = false;
  /** The sampling attributes' values, in `SAMPLING_KEYS` order; `found` says which were named. */
  private readonly values: AttributeValue[] = SAMPLING_KEYS.map(() => undefined);
  private found = 0;

  read(span: WireReader): void {
    this.traceState = '';
    this.child = false;
    this.name = '';
    this.start = 0;
    this.end = 0;
    this.error = false;
    this.found = 0;
    // Read in full before anything is judged: fields may come in any order, the last of a
    // repeated scalar winning.
    while (!span.done) {
      const tag = span.tag();
      switch (tag >>> 3) {
        case SPAN_TRACE_STATE:
          this.traceState = expect(span, tag, LEN).string();
          break;
        case SPAN_PARENT_SPAN_ID: {
          const parent = sub(span, tag);
          this.child = parent.end > parent.pos;
          break;
        }
        case SPAN_NAME:
          this.name = expect(span, tag, LEN).string();
          break;
        case SPAN_START:
          this.start = expect(span, tag, I64).fixed64();
          break;
        case SPAN_END:
          this.end = expect(span, tag, I64).fixed64();
          break;
        case SPAN_ATTRIBUTES:
          this.attributeRead(sub(span, tag));
          break;
        case SPAN_STATUS:
          this.error = statusCode(sub(span, tag)) === STATUS_ERROR;
          break;
        case SPAN_TRACE_ID:
        case SPAN_SPAN_ID:
          sub(span, tag);
          break;
        default:
          span.skip(tag & 7);
      }
    }
  }

  attribute(key: string): AttributeValue {
    const index = SAMPLING_KEYS.indexOf(key as (typeof SAMPLING_KEYS)[number]);
    return index >= 0 && this.found & (1 << index) ? this.values[index] : undefined;
  }

  private attributeRead(reader: WireReader): void {
    const attribute = keyValue(reader);
    for (let i = 0; i < SAMPLING_KEY_BYTES.length; i++) {
      if (this.found & (1 << i) || !bytesEqual(attribute.bytes, attribute.keyStart, attribute.keyEnd, SAMPLING_KEY_BYTES[i])) continue;
      this.found |= 1 << i;
      this.values[i] = anyValue(attribute.value);
      return;
    }
    checkAnyValue(attribute.value);
  }
}

/** A KeyValue's key (as a byte range) and the reader of its value, if it has one. */
function keyValue(reader: WireReader): { bytes: Uint8Array; keyStart: number; keyEnd: number; value: WireReader | undefined } {
  let keyStart = 0;
  let keyEnd = 0;
  let value: WireReader | undefined;
  while (!reader.done) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === KEY_VALUE_KEY) {
      const key = sub(reader, tag);
      keyStart = key.pos;
      keyEnd = key.end;
    } else if (field === KEY_VALUE_VALUE) value = sub(reader, tag);
    else reader.skip(tag & 7);
  }
  return { bytes: reader.bytes, keyStart, keyEnd, value };
}

/** An AnyValue's string, bool, int or double (the last one given); undefined for any other kind. */
function anyValue(reader: WireReader | undefined): AttributeValue {
  let value: AttributeValue;
  while (reader && !reader.done) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case ANY_STRING:
        value = expect(reader, tag, LEN).string();
        break;
      case ANY_BOOL:
        value = expect(reader, tag, VARINT).uint32() !== 0;
        break;
      case ANY_INT:
        value = expect(reader, tag, VARINT).int64();
        break;
      case ANY_DOUBLE:
        value = expect(reader, tag, I64).double();
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return value;
}

/**
 * Walks an AnyValue that is not read, as strictly as one that is: a body is refused for a
 * malformed attribute whichever attribute it is.
 */
function checkAnyValue(reader: WireReader | undefined): void {
  while (reader && !reader.done) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wireType = field === ANY_STRING ? LEN : field === ANY_BOOL || field === ANY_INT ? VARINT : field === ANY_DOUBLE ? I64 : tag & 7;
    expect(reader, tag, wireType).skip(wireType);
  }
}

function statusCode(status: WireReader): number {
  let code = 0;
  while (!status.done) {
    const tag = status.tag();
    if (tag >>> 3 === STATUS_CODE) code = expect(status, tag, VARINT).uint32() | 0;
    else if (tag >>> 3 === STATUS_MESSAGE) sub(status, tag);
    else status.skip(tag & 7);
  }
  return code;
}

/** The reader of a length-delimited field's value. */
function sub(reader: WireReader, tag: number): WireReader {
  return expect(reader, tag, LEN).sub();
}

function expect(reader: WireReader, tag: number, wireType: number): WireReader {
  if ((tag & 7) !== wireType) throw new MalformedProtobuf(`field ${tag >>> 3} has wire type ${tag & 7}, not ${wireType}`);
  return reader;
}
