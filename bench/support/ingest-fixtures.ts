import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

/** Request bodies for one ingest transport, and what each of them must add to Redis. */
export interface IngestFixture {
  bodies: Buffer[];
  /** Operation entries (reports) or root spans (OTLP) in every body. */
  operationsPerBody: number;
  /** What every body adds to the sampled counters (`s|` fields). */
  sampledPerBody: number;
}

export const OPERATION_NAMES = (operations: number): string[] =>
  Array.from({ length: operations }, (_, index) => `GET /api/v1/resource-${String(index).padStart(2, '0')}`);

/**
 * `POST /api/v1/throughput` documents, one per service `<prefix>-<n>`, each with one entry per
 * operation. Every entry reports 2 sampled requests, so every body adds the same amount to the
 * sampled counters whichever bodies a connection happened to send.
 */
export function reportBodies(prefix: string, services: number, operations: number): IngestFixture {
  const SAMPLED = 2;
  const bodies = Array.from({ length: services }, (_, service) =>
    Buffer.from(
      JSON.stringify({
        service: `${prefix}-${service}`,
        instance: `pod-${service}-7f9c`,
        windowSeconds: 10,
        operations: OPERATION_NAMES(operations).map((operation, index) => {
          const count = 100 * (1 + (index % 5));
          return {
            operation,
            count,
            sampled: SAMPLED,
            errors: index % 7 === 0 ? 1 : 0,
            probability: SAMPLED / count,
          };
        }),
      }),
    ),
  );
  return { bodies, operationsPerBody: operations, sampledPerBody: operations * SAMPLED };
}

const TRACE_PROTO = join(__dirname, '..', '..', '..', 'src', 'proto', 'opentelemetry', 'trace_service.proto');
const STATUS_ERROR = 2;

/**
 * OTLP/protobuf `ExportTraceServiceRequest`s, one per service `<prefix>-<n>` (resource attribute
 * `service.name`), each with `rootSpans` root spans (empty parent span id) spread over
 * `operations` span names. The sampling facts come in the three forms the receiver reads, a
 * third of the spans each: Jaeger-style sampler tags, a W3C tracestate threshold, and none
 * (counted at the probability Samplane serves). Every one of these root spans counts as one
 * sampled span.
 */
export function otlpBodies(
  prefix: string,
  services: number,
  operations: number,
  rootSpans: number,
): IngestFixture {
  const root = protobuf.loadSync(TRACE_PROTO);
  // The receiver's proto keeps only the fields it reads. Real exports also carry a span's kind
  // and timestamps, which the decoder reads or skips over, so the bodies carry them too.
  const span = root.lookupType('opentelemetry.proto.collector.trace.v1.Span');
  const fields: Array<[string, number, string]> = [
    ['kind', 6, 'int32'],
    ['startTimeUnixNano', 7, 'fixed64'],
    ['endTimeUnixNano', 8, 'fixed64'],
  ];
  for (const [name, id, type] of fields) if (!span.fields[name]) span.add(new protobuf.Field(name, id, type));
  const request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

  const names = OPERATION_NAMES(operations);
  const startNanos = 1_767_225_600_000_000_000;
  const bodies = Array.from({ length: services }, (_, service) => {
    const spans = Array.from({ length: rootSpans }, (_, index) => {
      const attributes: { key: string; value: Record<string, string | number> }[] = [
        { key: 'http.request.method', value: { stringValue: 'GET' } },
        { key: 'http.route', value: { stringValue: names[index % operations] } },
        { key: 'http.response.status_code', value: { intValue: 200 } },
      ];
      let traceState = '';
      if (index % 3 === 0) {
        attributes.push(
          { key: 'sampler.type', value: { stringValue: 'probabilistic' } },
          { key: 'sampler.param', value: { doubleValue: 0.01 } },
        );
      } else if (index % 3 === 1) {
        // Rejection threshold for p = 0.01 (OTel consistent probability sampling).
        traceState = 'ot=th:fd70a3d70a3d71';
      }
      return {
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        traceState,
        parentSpanId: Buffer.alloc(0),
        name: names[index % operations],
        kind: 2,
        startTimeUnixNano: startNanos + index * 1_000_000,
        endTimeUnixNano: startNanos + index * 1_000_000 + 250_000,
        attributes,
        status: index % 50 === 0 ? { code: STATUS_ERROR } : {},
      };
    });
    const message = request.fromObject({
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: `${prefix}-${service}` } },
              { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
            ],
          },
          scopeSpans: [{ spans }],
        },
      ],
    });
    return Buffer.from(request.encode(message).finish());
  });
  return { bodies, operationsPerBody: rootSpans, sampledPerBody: rootSpans };
}
