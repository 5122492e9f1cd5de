import { type ServiceError, status } from '@grpc/grpc-js';
import { type GrpcOperation, type GrpcReport, ThroughputReportClient } from '../support/ingest-grpc-clients';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE, RedisPeek, SnapshotLog, type StoredSnapshot } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

const SERVICE = 'validation';
/**
 * A valid entry placed first in every bad document: were anything of a refused document
 * counted, this operation would show up in a calculation.
 */
const LEAK = { operation: 'GET /leak', count: 1000, sampled: 900 };
const ok = (entry: Record<string, unknown>) => ({ operation: 'GET /x', count: 10, sampled: 1, ...entry });
const report = (extra: Record<string, unknown>) => ({
  service: SERVICE,
  windowSeconds: 10,
  operations: [LEAK],
  ...extra,
});
const withEntry = (entry: Record<string, unknown>) => report({ operations: [LEAK, entry] });
const manyOperations = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ operation: `op-${i}`, count: 1, sampled: 1 }));

/** Documents the report API refuses, and the field each answer must name. */
const BAD_DOCUMENTS: Array<[string, unknown, string]> = [
  ['service missing', { operations: [LEAK] }, 'service'],
  ['service a number', report({ service: 42 }), 'service'],
  ['service empty', report({ service: '' }), 'service'],
  ['service blank', report({ service: '   ' }), 'service'],
  ['service too long', report({ service: 's'.repeat(257) }), 'service'],
  ['instance a number', report({ instance: 7 }), 'instance'],
  ['instance too long', report({ instance: 'i'.repeat(257) }), 'instance'],
  ['windowSeconds a string', report({ windowSeconds: '10' }), 'windowSeconds'],
  ['windowSeconds zero', report({ windowSeconds: 0 }), 'windowSeconds'],
  ['windowSeconds negative', report({ windowSeconds: -10 }), 'windowSeconds'],
  ['windowSeconds over a day', report({ windowSeconds: 86_401 }), 'windowSeconds'],
  ['operations missing', { service: SERVICE }, 'operations'],
  ['operations an object', report({ operations: { [LEAK.operation]: LEAK } }), 'operations'],
  ['too many operations', report({ operations: [LEAK, ...manyOperations(2000)] }), 'operations'],
  ['an entry that is a string', withEntry('GET /x' as never), 'operations[1]'],
  ['an entry that is null', withEntry(null as never), 'operations[1]'],
  ['operation missing', withEntry({ count: 10, sampled: 1 }), 'operations[1].operation'],
  ['operation empty', withEntry(ok({ operation: '' })), 'operations[1].operation'],
  ['operation a number', withEntry(ok({ operation: 5 })), 'operations[1].operation'],
  ['operation too long', withEntry(ok({ operation: 'o'.repeat(1025) })), 'operations[1].operation'],
  ['count missing', withEntry({ operation: 'GET /x', sampled: 0 }), 'operations[1].count'],
  ['count a string', withEntry(ok({ count: '10' })), 'operations[1].count'],
  ['count negative', withEntry(ok({ count: -1, sampled: 0 })), 'operations[1].count'],
  ['count not an integer', withEntry(ok({ count: 10.5 })), 'operations[1].count'],
  ['count beyond 2^53', withEntry(ok({ count: 2 ** 53 + 2 })), 'operations[1].count'],
  ['sampled missing', withEntry({ operation: 'GET /x', count: 10 }), 'operations[1].sampled'],
  ['sampled negative', withEntry(ok({ sampled: -1 })), 'operations[1].sampled'],
  ['sampled not an integer', withEntry(ok({ sampled: 0.5 })), 'operations[1].sampled'],
  ['sampled a boolean', withEntry(ok({ sampled: true })), 'operations[1].sampled'],
  ['sampled more than count', withEntry(ok({ count: 5, sampled: 6 })), 'operations[1].sampled'],
  ['errors negative', withEntry(ok({ errors: -1 })), 'operations[1].errors'],
  ['errors a string', withEntry(ok({ errors: '1' })), 'operations[1].errors'],
  ['errors more than count', withEntry(ok({ count: 5, errors: 6 })), 'operations[1].errors'],
  ['probability above 1', withEntry(ok({ probability: 1.5 })), 'operations[1].probability'],
  ['probability negative', withEntry(ok({ probability: -0.1 })), 'operations[1].probability'],
  ['probability a string', withEntry(ok({ probability: '0.5' })), 'operations[1].probability'],
  ['an array', [report({})], '(body)'],
  ['a string', 'checkout', '(body)'],
  ['a number', 42, '(body)'],
  ['null', null, '(body)'],
];

const grpcEntry = (entry: GrpcOperation): GrpcReport => ({
  service: SERVICE,
  operations: [LEAK, { operation: 'GET /x', count: 10, sampled: 1, ...entry }],
});

/** What a gRPC reporter can get wrong (the protobuf types rule out the rest), and the field. */
const BAD_GRPC_REPORTS: Array<[string, GrpcReport, string]> = [
  ['service missing', { operations: [LEAK] }, 'service'],
  ['service blank', { service: ' ', operations: [LEAK] }, 'service'],
  ['service too long', { service: 's'.repeat(257), operations: [LEAK] }, 'service'],
  ['instance too long', { service: SERVICE, instance: 'i'.repeat(257), operations: [LEAK] }, 'instance'],
  ['window_seconds negative', { service: SERVICE, window_seconds: -1, operations: [LEAK] }, 'windowSeconds'],
  ['too many operations', { service: SERVICE, operations: [LEAK, ...manyOperations(2000)] }, 'operations'],
  ['operation missing', grpcEntry({ operation: '' }), 'operations[1].operation'],
  ['operation too long', grpcEntry({ operation: 'o'.repeat(1025) }), 'operations[1].operation'],
  // A negative number written into a uint64 arrives as 2^64 − 1: beyond any real count.
  ['count beyond 2^53', grpcEntry({ count: '18446744073709551615' }), 'operations[1].count'],
  ['sampled more than count', grpcEntry({ count: 5, sampled: 6 }), 'operations[1].sampled'],
  ['errors more than count', grpcEntry({ count: 5, errors: 6 }), 'operations[1].errors'],
  ['probability above 1', grpcEntry({ probability: 1.5 }), 'operations[1].probability'],
  ['probability negative', grpcEntry({ probability: -0.5 }), 'operations[1].probability'],
  ['probability NaN', grpcEntry({ probability: NaN }), 'operations[1].probability'],
];

/**
 * Every kind of bad throughput report, over HTTP and gRPC: refused as a whole with an answer
 * naming the field, and nothing of it counted. A calculation afterwards shows only what the
 * valid reports said.
 */
describe('throughput report validation, end to end', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let peek: RedisPeek;
  let log: SnapshotLog;
  let grpc: ThroughputReportClient;
  /** Refusals the ingest service itself made (the rest are the HTTP layer's). */
  let refusedByService = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // What is asserted is Jaeger's rule on the counts (sampled QPS, its probability step).
    samplane = await SamplaneProcess.start({ ...FAST_ENGINE, ADAPTIVE_ALGORITHM: 'jaeger', REDIS_URL: redis.url });
    peek = await RedisPeek.connect(redis);
    log = new SnapshotLog(peek);
    grpc = new ThroughputReportClient(samplane.grpcAddress);
  });

  afterAll(async () => {
    grpc?.close();
    await log?.stop();
    peek?.close();
    await samplane?.stop();
    await redis?.destroy();
  });

  async function post(body: string | Buffer, contentType = 'application/json') {
    const response = await fetch(`${samplane.url}/api/v1/throughput`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe('over HTTP', () => {
    it.each(BAD_DOCUMENTS)('%s: 400 naming the field', async (_case, document, field) => {
      const answer = await post(JSON.stringify(document));
      refusedByService++;
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, field });
      expect(String(answer.body.message).startsWith(`${field}: `)).toBe(true);
    });

    it('a body that is not JSON: 400 saying so', async () => {
      const answer = await post(JSON.stringify(report({})).slice(0, -3));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ field: '(body)' });
      expect(answer.body.message).toMatch(/not valid JSON/);
    });

    it('an empty body: 400', async () => {
      const answer = await post('');
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/empty/);
    });

    it('a body over 1 MiB: 413', async () => {
      const padding = 'x'.repeat(1024 * 1024);
      const answer = await post(JSON.stringify(report({ instance: 'pod', padding })));
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ field: '(body)' });
    });

    it('a body that is not JSON at all, sent as text: 400 naming the body', async () => {
      const answer = await post('service=validation', 'text/plain');
      refusedByService++;
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ field: '(body)' });
    });
  });

  describe('over gRPC', () => {
    it.each(BAD_GRPC_REPORTS)('%s: INVALID_ARGUMENT naming the field', async (_case, bad, field) => {
      const error = (await grpc.report(bad).then(
        () => undefined,
        (e: ServiceError) => e,
      )) as ServiceError | undefined;
      refusedByService++;
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.details.startsWith(`${field}: `)).toBe(true);
    });
  });

  it('counted none of the refused documents', async () => {
    expect(await samplane.metric('samplane_ingest_rejected_total', { source: 'report', reason: 'invalid' })).toBe(
      refusedByService,
    );
    expect(await samplane.metric('samplane_ingest_documents_total', { source: 'report', transport: 'http' })).toBe(0);
    expect(await samplane.metric('samplane_ingest_documents_total', { source: 'report', transport: 'grpc' })).toBe(0);
  });

  it('accepts valid reports on both transports, zero counts included', async () => {
    const http = await post(
      JSON.stringify({
        service: SERVICE,
        instance: 'pod-1',
        windowSeconds: 1,
        operations: [
          { operation: 'GET /http', count: 100, sampled: 6, errors: 2, probability: 0.06 },
          { operation: 'GET /idle', count: 0, sampled: 0 },
        ],
      }),
    );
    expect(http).toEqual({ status: 202, body: { accepted: 2 } });
    // proto3 encoders other than protobufjs leave zeros and empty lists off the wire: what they
    // send for `sampled: 0` is no `sampled` at all, and it must read as zero.
    await expect(
      grpc.report({
        service: SERVICE,
        operations: [
          { operation: 'GET /grpc', count: 50, sampled: 3 },
          { operation: 'GET /unsampled', count: 40 },
        ],
      }),
    ).resolves.toEqual({ accepted: 2 });
    await expect(grpc.report({ service: SERVICE })).resolves.toEqual({ accepted: 0 });
  });

  it('calculates from the valid reports alone', async () => {
    const has = (s: StoredSnapshot, op: string) => s.probabilities[SERVICE]?.[op] !== undefined;
    const snapshot = await waitFor(
      () => log.snapshots.find((s) => has(s, 'GET /http') && has(s, 'GET /grpc')),
      'a calculation over the valid reports',
      20_000,
      50,
    );
    for (const s of log.snapshots) expect(has(s, LEAK.operation)).toBe(false);
    // Jaeger counts sampled spans: the gRPC report's 3 (counted as it arrived) in one bucket of
    // whole seconds.
    const qps = snapshot.qps[SERVICE];
    const seconds = 3 / qps['GET /grpc'];
    expect(Math.abs(seconds - Math.round(seconds))).toBeLessThan(1e-9);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(5);
    // The HTTP report's second is spread over the half second before it arrived (ADAPTIVE_DELAY
    // 1 s leaves that much room), so a bucket may hold part of its 6, never more.
    expect(qps['GET /http'] * seconds).toBeGreaterThan(0);
    expect(qps['GET /http'] * seconds).toBeLessThanOrEqual(6 + 1e-9);
    expect(await samplane.metric('samplane_ingest_operations_total', { source: 'report' })).toBe(4);
  });
});
