import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { FieldError } from '../../../src/errors/domain-error';
import { decodeProtobufSpans } from '../../../src/ingest/otlp/otlp-decode';

// Requests are built from the .proto file itself, as an exporter's bytes would be.
const PROTO = join(__dirname, '../../../src/proto/opentelemetry/trace_service.proto');
const RequestType = protobuf.loadSync(PROTO).lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

type Attribute = { key: string; value: Record<string, unknown> };
type Span = Record<string, unknown>;

const str = (key: string, value: string): Attribute => ({ key, value: { stringValue: value } });
const dbl = (key: string, value: number): Attribute => ({ key, value: { doubleValue: value } });
const int = (key: string, value: number): Attribute => ({ key, value: { intValue: value } });
const bool = (key: string, value: boolean): Attribute => ({ key, value: { boolValue: value } });

const TRACE_ID = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
let spanIds = 0;
const nextSpanId = (): Buffer => Buffer.from((++spanIds).toString(16).padStart(16, '0'), 'hex');

const root = (name: string, extra: Span = {}): Span => ({ traceId: TRACE_ID, spanId: nextSpanId(), name, ...extra });
const PARENT_ID = Buffer.from('eee19b7ec3c1b174', 'hex');
const child = (name: string, extra: Span = {}): Span => root(name, { parentSpanId: PARENT_ID, ...extra });

function resource(attributes: Attribute[] | undefined, ...spans: Span[][]): Record<string, unknown> {
  return {
    ...(attributes ? { resource: { attributes } } : {}),
    scopeSpans: spans.map((s) => ({ spans: s })),
  };
}

function encode(...resourceSpans: Record<string, unknown>[]): Uint8Array {
  return RequestType.encode(RequestType.fromObject({ resourceSpans })).finish();
}

describe('decodeProtobufSpans', () => {
  it('tells how long before the newest span of the request each root started, on the sender\'s clock', () => {
    const at = (ms: number) => 1767225600000000000 + ms * 1e6;
    const bytes = encode(
      resource(
        [str('service.name', 'checkout')],
        [
          root('GET /cart', { startTimeUnixNano: at(0), endTimeUnixNano: at(20) }),
          root('GET /cart', { startTimeUnixNano: at(4000), endTimeUnixNano: at(4030) }),
        ],
        [child('SELECT', { startTimeUnixNano: at(4990), endTimeUnixNano: at(5000) }), root('GET /cart')],
      ),
    );

    expect(decodeProtobufSpans(bytes).roots.map((r) => r.sampledAgoMs)).toEqual([5000, 1000, undefined]);
  });

  it('reads root spans with their service, name, sampling facts and status', () => {
    const bytes = encode(
      resource(
        [str('service.name', 'checkout'), str('host.name', 'pod-1')],
        [
          root('GET /cart', { attributes: [str('sampler.type', 'probabilistic'), dbl('sampler.param', 0.25)] }),
          root('POST /pay', { traceState: 'ot=th:c', status: { code: 2, message: 'boom' } }),
          root('GET /health', { status: { code: 1 } }),
        ],
      ),
    );

    expect(decodeProtobufSpans(bytes)).toEqual({
      roots: [
        { service: 'checkout', operation: 'GET /cart', probability: 0.25, counts: true, error: false },
        { service: 'checkout', operation: 'POST /pay', probability: 0.25, counts: true, error: true },
        { service: 'checkout', operation: 'GET /health', probability: undefined, counts: true, error: false },
      ],
      rejected: 0,
      rejectedReason: undefined,
    });
  });

  it('skips child spans', () => {
    const bytes = encode(resource([str('service.name', 'checkout')], [child('SELECT'), root('GET /cart'), child('HTTP GET')]));

    expect(decodeProtobufSpans(bytes).roots.map((r) => r.operation)).toEqual(['GET /cart']);
  });

  it('takes a span with an empty parent id as a root', () => {
    const bytes = encode(resource([str('service.name', 'checkout')], [root('GET /cart', { parentSpanId: Buffer.alloc(0) })]));

    expect(decodeProtobufSpans(bytes).roots).toHaveLength(1);
  });

  it('reads sampler params sent as 64-bit integers and as strings, and OTel Go tags', () => {
    const bytes = encode(
      resource(
        [str('service.name', 'svc')],
        [
          root('int', { attributes: [str('sampler.type', 'const'), int('sampler.param', 1)] }),
          root('string', { attributes: [str('sampler.type', 'probabilistic'), str('sampler.param', '0.001')] }),
          root('go', { attributes: [str('jaeger.sampler.type', 'probabilistic'), dbl('jaeger.sampler.param', 0.5)] }),
          root('bool', { attributes: [str('sampler.type', 'const'), bool('sampler.param', true)] }),
        ],
      ),
    );

    expect(decodeProtobufSpans(bytes).roots.map((r) => [r.operation, r.probability, r.counts])).toEqual([
      ['int', 1, false],
      ['string', 0.001, true],
      ['go', 0.5, true],
      ['bool', undefined, false],
    ]);
  });

  it('reads every resource and scope of a request', () => {
    const bytes = encode(
      resource([str('service.name', 'a')], [root('a1')], [root('a2'), child('a3')]),
      resource([str('service.name', 'b')], [root('b1')]),
    );

    expect(decodeProtobufSpans(bytes).roots.map((r) => `${r.service}/${r.operation}`)).toEqual(['a/a1', 'a/a2', 'b/b1']);
  });

  it.each([
    ['no resource', undefined],
    ['no service.name', [str('host.name', 'pod-1')]],
    ['an empty service.name', [str('service.name', '')]],
    ['a service.name that is not a string', [int('service.name', 7)]],
  ])('rejects the root spans of a resource with %s, and counts them', (_, attributes) => {
    const bytes = encode(
      resource(attributes, [root('GET /a'), child('child'), root('GET /b')]),
      resource([str('service.name', 'named')], [root('GET /c')]),
    );

    expect(decodeProtobufSpans(bytes)).toEqual({
      roots: [{ service: 'named', operation: 'GET /c', probability: undefined, counts: true, error: false }],
      rejected: 2,
      rejectedReason: 'resource attribute service.name is missing',
    });
  });

  it('gives a span without a name an empty operation, for the service to refuse', () => {
    const bytes = encode(resource([str('service.name', 'svc')], [{ traceId: TRACE_ID, spanId: nextSpanId() }]));

    expect(decodeProtobufSpans(bytes).roots.map((r) => r.operation)).toEqual(['']);
  });

  it('reads an empty request as no spans', () => {
    expect(decodeProtobufSpans(new Uint8Array(0))).toEqual({ roots: [], rejected: 0, rejectedReason: undefined });
  });

  it('skips the fields of a full OTLP span that it does not declare', () => {
    // A richer Span, as real exporters send it: timestamps, kind, events, links, dropped counts.
    const full = protobuf.parse(`
      syntax = "proto3";
      message Req { repeated RS resource_spans = 1; }
      message RS { Res resource = 1; repeated SS scope_spans = 2; string schema_url = 3; }
      message Res { repeated KV attributes = 1; uint32 dropped_attributes_count = 2; }
      message SS { Scope scope = 1; repeated Span spans = 2; string schema_url = 3; }
      message Scope { string name = 1; string version = 2; }
      message Span {
        bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
        string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
        repeated KV attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
        fixed32 flags = 16; Status status = 15;
      }
      message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KV attributes = 3; }
      message Status { string message = 2; int32 code = 3; }
      message KV { string key = 1; AV value = 2; }
      message AV {
        oneof value {
          string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; bytes bytes_value = 7;
        }
      }
    `).root.lookupType('Req');
    const bytes = full
      .encode(
        full.fromObject({
          resourceSpans: [
            {
              resource: { attributes: [str('service.name', 'svc')], droppedAttributesCount: 1 },
              scopeSpans: [
                {
                  scope: { name: '@opentelemetry/instrumentation-http', version: '0.1.0' },
                  spans: [
                    root('GET /cart', {
                      kind: 2,
                      startTimeUnixNano: 1_767_225_600_000_000_000,
                      endTimeUnixNano: 1_767_225_600_100_000_000,
                      attributes: [{ key: 'payload', value: { bytesValue: Buffer.from([1, 2, 3]) } }, dbl('sampler.param', 0.5)],
                      events: [{ timeUnixNano: 1, name: 'exception', attributes: [str('exception.type', 'Error')] }],
                      flags: 0x301,
                      status: { code: 2 },
                    }),
                  ],
                  schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
                },
              ],
            },
          ],
        }),
      )
      .finish();

    expect(decodeProtobufSpans(bytes).roots).toEqual([
      { service: 'svc', operation: 'GET /cart', probability: 0.5, counts: true, error: true, sampledAgoMs: 100 },
    ]);
  });

  it.each([
    ['random bytes', Buffer.from('this is not protobuf at all, just some text')],
    ['a truncated request', Buffer.from(encode(resource([str('service.name', 'svc')], [root('GET /cart')]))).subarray(0, 20)],
    ['JSON', Buffer.from('{"resourceSpans":[]}')],
  ])('refuses %s as the body', (_, bytes) => {
    let thrown: unknown;
    try {
      decodeProtobufSpans(bytes);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(FieldError);
    expect(thrown).toMatchObject({ field: '(body)' });
  });
});
