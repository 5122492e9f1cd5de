import type { DecodedSpans } from '../../src/ingest/otlp/otlp-decode';
import { type AttributeValue, type RootSpan, nanosToMs, samplingFacts, setSampledAgo } from '../../src/ingest/otlp/root-span';

const STATUS_ERROR = 2;

interface ProtoKeyValue {
  key: string;
  value?: {
    /** protobufjs names the member of the `value` oneof that is set. */
    value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue';
    stringValue?: string;
    boolValue?: boolean;
    intValue?: number | { toNumber(): number };
    doubleValue?: number;
  };
}

interface ProtoSpan {
  traceState?: string;
  parentSpanId?: Uint8Array;
  name?: string;
  attributes?: ProtoKeyValue[];
  status?: { code?: number };
  /** fixed64: a Long, or a number where protobufjs has no Long support. */
  startTimeUnixNano?: unknown;
  endTimeUnixNano?: unknown;
}

export interface ProtoRequest {
  resourceSpans?: { resource?: { attributes?: ProtoKeyValue[] }; scopeSpans?: { spans?: ProtoSpan[] }[] }[];
}

/**
 * The reference the wire scanner is checked against: root spans read from the request as
 * protobufjs decodes it into objects (`ExportRequest.decode`), attribute by attribute.
 */
export function referenceRoots(request: ProtoRequest): DecodedSpans {
  const out: DecodedSpans = { roots: [], rejected: 0, rejectedReason: undefined };
  const started: { span: RootSpan; startMs: number | undefined }[] = [];
  let newestEnd: number | undefined;
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = valueOf(find(resourceSpans.resource?.attributes, 'service.name'));
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const end = nanosToMs(span.endTimeUnixNano);
        if (end !== undefined && (newestEnd === undefined || end > newestEnd)) newestEnd = end;
        if (span.parentSpanId && span.parentSpanId.length > 0) continue;
        if (typeof service !== 'string' || service === '') {
          out.rejected++;
          out.rejectedReason = 'resource attribute service.name is missing';
          continue;
        }
        const facts = samplingFacts((key) => valueOf(find(span.attributes, key)), span.traceState || undefined);
        const rootSpan: RootSpan = {
          service,
          operation: span.name ?? '',
          probability: facts.probability,
          counts: facts.counts,
          error: span.status?.code === STATUS_ERROR,
        };
        out.roots.push(rootSpan);
        started.push({ span: rootSpan, startMs: nanosToMs(span.startTimeUnixNano) });
      }
    }
  }
  setSampledAgo(started, newestEnd);
  return out;
}

function find(attributes: ProtoKeyValue[] | undefined, key: string): ProtoKeyValue | undefined {
  return attributes?.find((a) => a.key === key);
}

function valueOf(attribute: ProtoKeyValue | undefined): AttributeValue {
  const value = attribute?.value;
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue;
    case 'doubleValue':
      return value.doubleValue;
    case 'boolValue':
      return value.boolValue;
    case 'intValue':
      return typeof value.intValue === 'number' ? value.intValue : value.intValue?.toNumber();
    default:
      return undefined;
  }
}
