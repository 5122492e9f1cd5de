import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

/** OTLP export requests as SDKs and Collectors send them, built from a short description. */
const proto = protobuf.loadSync(join(__dirname, '..', '..', 'src', 'proto', 'opentelemetry', 'trace_service.proto'));
export const ExportRequest = proto.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportResponse = proto.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

export const PROTOBUF = 'application/x-protobuf';
export const STATUS_ERROR = 2;

/** One span as a test describes it; `parent` makes it a child span, which Samplane skips. */
export interface TestSpan {
  name: string;
  parent?: boolean;
  attributes?: Record<string, string | number>;
  traceState?: string;
  error?: boolean;
}

export interface TestResource {
  service?: string;
  spans: TestSpan[];
}

export const times = (n: number, span: TestSpan): TestSpan[] => Array.from({ length: n }, () => span);

const serviceName = (resource: TestResource) =>
  resource.service === undefined ? [] : [{ key: 'service.name', value: { stringValue: resource.service } }];

export const encodingHeaders = (contentType: string, encoding: string | undefined): Record<string, string> => ({
  'content-type': contentType,
  ...(encoding ? { 'content-encoding': encoding } : {}),
});

/** The request as protobufjs objects: bytes for ids, typed attribute values. */
export function protoRequest(resources: TestResource[]): object {
  return {
    resourceSpans: resources.map((resource) => ({
      resource: {
        attributes: serviceName(resource),
      },
      scopeSpans: [
        {
          spans: resource.spans.map((span) => ({
            traceId: randomBytes(16),
            spanId: randomBytes(8),
            parentSpanId: span.parent ? randomBytes(8) : Buffer.alloc(0),
            traceState: span.traceState ?? '',
            name: span.name,
            attributes: Object.entries(span.attributes ?? {}).map(([key, value]) => ({
              key,
              value: typeof value === 'string' ? { stringValue: value } : { doubleValue: value },
            })),
            status: span.error ? { code: STATUS_ERROR } : {},
          })),
        },
      ],
    })),
  };
}

export function protobufBody(resources: TestResource[]): Buffer {
  return Buffer.from(ExportRequest.encode(ExportRequest.fromObject(protoRequest(resources))).finish());
}

/** OTLP/JSON as the spec maps it: hex ids, lowerCamelCase keys, integer enums, 64-bit ints as strings. */
export function jsonBody(resources: TestResource[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: resources.map((resource) => ({
      resource: {
        attributes: serviceName(resource),
      },
      scopeSpans: [
        {
          scope: { name: 'test' },
          spans: resource.spans.map((span) => ({
            traceId: randomBytes(16).toString('hex'),
            spanId: randomBytes(8).toString('hex'),
            ...(span.parent ? { parentSpanId: randomBytes(8).toString('hex') } : {}),
            ...(span.traceState ? { traceState: span.traceState } : {}),
            name: span.name,
            kind: 2,
            startTimeUnixNano: String(now),
            endTimeUnixNano: String(now + 1_000_000n),
            attributes: Object.entries(span.attributes ?? {}).map(([key, value]) => ({
              key,
              value: typeof value === 'string' ? { stringValue: value } : { doubleValue: value },
            })),
            status: span.error ? { code: STATUS_ERROR } : {},
          })),
        },
      ],
    })),
  });
}
