import { status } from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import { TraceServiceClient } from '../support/ingest-grpc-clients';
import { ExportResponse, PROTOBUF, type TestResource, encodingHeaders, jsonBody, protoRequest, protobufBody, times } from '../support/otlp-request';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE, RedisPeek, SnapshotLog, type StoredSnapshot, jaegerStep, served } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

/**
 * The OTLP trace receiver end to end: what an OpenTelemetry SDK or Collector sends over
 * OTLP/HTTP (protobuf or JSON, plain or gzip) and OTLP/gRPC is answered as the OTLP
 * specification says, and root spans are counted per (service.name, span name) at the
 * probability their tags, their tracestate or, failing both, Samplane's own answer gives.
 */
describe('OTLP trace ingest, end to end', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let peek: RedisPeek;
  let log: SnapshotLog;
  let grpc: TraceServiceClient;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // What is asserted is Jaeger's rule on the counts (sampled QPS, its probability step).
    samplane = await SamplaneProcess.start({ ...FAST_ENGINE, ADAPTIVE_ALGORITHM: 'jaeger', REDIS_URL: redis.url });
    peek = await RedisPeek.connect(redis);
    log = new SnapshotLog(peek);
    grpc = new TraceServiceClient(samplane.grpcAddress);
  });

  afterAll(async () => {
    grpc?.close();
    await log?.stop();
    peek?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  async function send(body: string | Buffer, headers: Record<string, string>) {
    const response = await fetch(`${samplane.url}/v1/traces`, { method: 'POST', headers, body });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  const rootSpans = () => samplane.metric('samplane_ingest_root_spans_total');
  const checkout: TestResource = {
    service: 'checkout',
    spans: [{ name: 'GET /cart' }, { name: 'GET /cart', parent: true }, { name: 'POST /pay', error: true }],
  };

  describe('accepted bodies get the standard success answer', () => {
    it.each([
      ['protobuf', () => protobufBody([checkout]), PROTOBUF, undefined],
      ['protobuf, gzip', () => gzipSync(protobufBody([checkout])), PROTOBUF, 'gzip'],
      ['JSON', () => jsonBody([checkout]), 'application/json', undefined],
      ['JSON, gzip', () => gzipSync(jsonBody([checkout])), 'application/json; charset=utf-8', 'gzip'],
    ])('%s', async (_case, body, contentType, encoding) => {
      const before = await rootSpans();
      const answer = await send(body(), encodingHeaders(contentType, encoding));
      expect(answer.status).toBe(200);
      if (contentType === PROTOBUF) {
        expect(answer.contentType).toBe(PROTOBUF);
        // An ExportTraceServiceResponse without partial_success encodes to no bytes at all.
        expect(answer.bytes).toHaveLength(0);
      } else {
        expect(answer.contentType).toMatch(/^application\/json/);
        expect(JSON.parse(answer.bytes.toString())).toEqual({});
      }
      // Two root spans; the child is not counted.
      expect((await rootSpans()) - before).toBe(2);
    });
  });

  describe('spans without service.name: partial success naming how many were rejected', () => {
    const anonymous: TestResource = { spans: [{ name: 'GET /' }, { name: 'GET /' }, { name: 'x', parent: true }] };
    const mixed = [checkout, anonymous];

    it('protobuf', async () => {
      const before = await rootSpans();
      const answer = await send(protobufBody(mixed), { 'content-type': PROTOBUF });
      expect(answer.status).toBe(200);
      const decoded = ExportResponse.toObject(ExportResponse.decode(answer.bytes), { longs: Number });
      expect(decoded).toEqual({
        partialSuccess: { rejectedSpans: 2, errorMessage: expect.stringContaining('service.name') as unknown },
      });
      expect((await rootSpans()) - before).toBe(2);
    });

    it('JSON', async () => {
      const answer = await send(jsonBody(mixed), { 'content-type': 'application/json' });
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.bytes.toString()) as {
        partialSuccess: { rejectedSpans: number | string; errorMessage: string };
      };
      expect(Number(body.partialSuccess.rejectedSpans)).toBe(2);
      expect(body.partialSuccess.errorMessage).toContain('service.name');
    });
  });

  describe('bodies that cannot be read', () => {
    it.each([
      ['text/plain', { 'content-type': 'text/plain' }],
      ['no content type', {}],
      ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ])('415 for %s', async (_case, headers: Record<string, string>) => {
      const answer = await send(protobufBody([checkout]), headers);
      expect(answer.status).toBe(415);
    });

    it.each([
      ['garbage protobuf', () => Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), PROTOBUF, undefined],
      ['a gzip header on a plain body', () => protobufBody([checkout]), PROTOBUF, 'gzip'],
      ['an unsupported content-encoding', () => protobufBody([checkout]), PROTOBUF, 'br'],
      ['JSON that does not parse', () => '{"resourceSpans": [', 'application/json', undefined],
      ['JSON of the wrong shape', () => '{"resourceSpans": {"spans": 1}}', 'application/json', undefined],
    ])('400 for %s, nothing counted', async (_case, body, contentType, encoding) => {
      const before = await rootSpans();
      const answer = await send(body(), encodingHeaders(contentType, encoding));
      expect(answer.status).toBe(400);
      if (contentType === 'application/json') {
        expect(JSON.parse(answer.bytes.toString())).toMatchObject({ code: 3, message: expect.any(String) as unknown });
      } else {
        expect(answer.bytes.toString().length).toBeGreaterThan(0);
      }
      expect(await rootSpans()).toBe(before);
    });
  });

  describe('over gRPC (TraceService/Export)', () => {
    it('answers an empty response for a fully accepted export', async () => {
      const before = await rootSpans();
      const response = await grpc.export(protoRequest([checkout]));
      expect(response.partialSuccess ?? null).toBeNull();
      expect((await rootSpans()) - before).toBe(2);
    });

    it('answers a partial success for spans without service.name', async () => {
      const response = await grpc.export(protoRequest([checkout, { spans: [{ name: 'GET /' }] }]));
      expect(Number(response.partialSuccess?.rejectedSpans)).toBe(1);
      expect(response.partialSuccess?.errorMessage).toContain('service.name');
    });

    it.each([
      ['garbage protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])],
      ['a request cut short', protobufBody([checkout]).subarray(0, 25)],
    ])('INVALID_ARGUMENT naming the body for %s, nothing counted', async (_case, bytes) => {
      const before = await rootSpans();
      const error = await grpc.exportBytes(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringContaining('(body)') as unknown });
      expect(await rootSpans()).toBe(before);
    });

    it('reads the same bytes over gRPC as over HTTP', async () => {
      const before = await rootSpans();
      const answer = await grpc.exportBytes(protobufBody([checkout, checkout]));
      expect(answer.length).toBe(0);
      expect((await rootSpans()) - before).toBe(4);
    });
  });

  describe('what a root span counts for', () => {
    const SERVICE = 'shop';
    const op = (s: StoredSnapshot | undefined, name: string) => s?.probabilities[SERVICE]?.[name];
    const half = { 'sampler.type': 'probabilistic', 'sampler.param': 0.5 };
    // OTel Go's Jaeger remote sampler prefixes its tags, and its param is a string.
    const goHalf = { 'jaeger.sampler.type': 'probabilistic', 'jaeger.sampler.param': '0.5' };
    // Ten root spans per operation, each with the probability it was sampled at stated a
    // different way, or not at all; rate-limited spans add no count (Jaeger's rule).
    const batch: TestResource[] = [
      {
        service: SERVICE,
        spans: [
          ...times(10, { name: 'tagged', attributes: half }),
          ...times(10, { name: 'tagged', parent: true }),
          ...times(10, { name: 'otel-go', attributes: goHalf }),
          ...times(10, { name: 'tracestate', traceState: 'rojo=00f067aa0ba902b7,ot=th:8' }),
          ...times(10, { name: 'untagged' }),
          ...times(10, { name: 'rate-limited', attributes: { 'sampler.type': 'ratelimiting', 'sampler.param': 0.5 } }),
        ],
      },
      // Another service's spans with the same names count for that service only.
      { service: 'other', spans: times(25, { name: 'tagged', attributes: half }) },
    ];
    let first: StoredSnapshot;

    it('counts root spans per (service.name, span name)', async () => {
      const answer = await send(protobufBody(batch), { 'content-type': PROTOBUF });
      expect(answer.status).toBe(200);
      first = await waitFor(
        () => log.snapshots.find((s) => op(s, 'untagged') !== undefined),
        'a calculation',
        20_000,
        50,
      );
      const qps = first.qps[SERVICE];
      // One request, one bucket: equal counts give equal rates, child spans and other services aside.
      for (const name of ['tagged', 'otel-go', 'tracestate']) expect(qps[name]).toBe(qps.untagged);
      expect(first.qps.other.tagged / qps.tagged).toBeCloseTo(2.5, 12);
      // Rate-limited spans are seen but not counted: QPS 0, so Jaeger doubles the probability.
      expect(qps['rate-limited']).toBe(0);
      expect(op(first, 'rate-limited')).toBe(0.002);
      // First sight of every operation: Jaeger's step from 0.001 at target 1.
      expect(op(first, 'untagged')).toBeCloseTo(jaegerStep(0.001, qps.untagged, { target: 1 }), 15);
    });

    it('takes the probability from sampler tags, then tracestate, then what Samplane served', async () => {
      const p1 = op(first, 'untagged')!;
      await waitFor(
        async () => (await served(samplane, SERVICE)).operations.untagged === p1,
        'the first probabilities to be served',
      );
      const answer = await send(protobufBody(batch), { 'content-type': PROTOBUF });
      expect(answer.status).toBe(200);
      const next = await waitFor(
        () => log.snapshots.find((s) => s.version > first.version && op(s, 'untagged') !== p1),
        'a calculation over the second batch',
        20_000,
        50,
      );
      // Counted at the served probability, `untagged` shows clients following Samplane: adapted.
      expect(op(next, 'untagged')).toBeCloseTo(jaegerStep(p1, next.qps[SERVICE].untagged, { target: 1 }), 15);
      // The others say they sampled at 0.5, not at what Samplane served: Jaeger leaves them be.
      for (const name of ['tagged', 'otel-go', 'tracestate']) expect(op(next, name)).toBe(p1);
    });
  });
});
