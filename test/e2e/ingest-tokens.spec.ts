import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { type ServiceError } from '@grpc/grpc-js';
import { ThroughputReportClient, TraceServiceClient } from '../support/ingest-grpc-clients';
import { metricValue } from '../support/metrics-text';
import { otlpExport } from '../support/otlp-export';
import { FAST_ENGINE } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, VIEWER_TOKEN } from './policies-http';

const BUILT_CLIENT = join(__dirname, '..', '..', 'dist', 'client', 'index.js');
const TEAM_A = 'team-a-token-7c1d93';
const COLLECTOR = 'collector-token-2b8e40';
const INGEST_TOKENS = `team-a:${TEAM_A}:shop*|payments-?,collector:${COLLECTOR}`;

/** One way of reporting; `send` resolves with the transport's own status (HTTP or gRPC code). */
interface Transport {
  tag: string;
  send(service: string, authorization: string | undefined): Promise<number>;
}

type Case = [label: string, authorization: string | undefined, service: (tag: string) => string, http: number, grpc: status];

/** Every case each transport is tried with: the service names say which must be counted. */
const CASES: Case[] = [
  ['no token', undefined, (t) => `shop-${t}-anonymous`, 401, status.UNAUTHENTICATED],
  ['a wrong token', 'Bearer not-a-known-token', (t) => `shop-${t}-wrong`, 401, status.UNAUTHENTICATED],
  ['not a bearer token', `Basic ${TEAM_A}`, (t) => `shop-${t}-basic`, 401, status.UNAUTHENTICATED],
  ['team-a outside its scope', `Bearer ${TEAM_A}`, (t) => `pay-${t}`, 403, status.PERMISSION_DENIED],
  ['team-a in its scope', `Bearer ${TEAM_A}`, (t) => `shop-${t}`, 202, status.OK],
  ['the unscoped collector', `Bearer ${COLLECTOR}`, (t) => `any-${t}`, 202, status.OK],
];

const grpcCode = (promise: Promise<unknown>): Promise<number> =>
  promise.then(
    () => status.OK,
    (error: ServiceError) => error.code,
  );

/**
 * INGEST_TOKENS over every transport a report or a span copy can take: no token or a wrong one
 * is 401 / UNAUTHENTICATED, a token outside its scope 403 / PERMISSION_DENIED, and nothing of a
 * refused document is counted; polls stay open.
 */
describe('ingest tokens, end to end', () => {
  let samplane: SamplaneProcess;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ ...FAST_ENGINE, INGEST_TOKENS, ADMIN_TOKENS });
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  const transports = (): Transport[] => [
    {
      tag: 'report-http',
      send: async (service, authorization) => {
        const response = await fetch(`${samplane.url}/api/v1/throughput`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
          body: JSON.stringify({ service, operations: [{ operation: 'GET /', count: 100, sampled: 1 }] }),
        });
        return response.status;
      },
    },
    {
      tag: 'report-grpc',
      send: (service, authorization) => {
        const client = new ThroughputReportClient(samplane.grpcAddress, { authorization });
        const code = grpcCode(client.report({ service, operations: [{ operation: 'GET /', count: 100, sampled: 1 }] }));
        return code.finally(() => client.close());
      },
    },
    {
      tag: 'otlp-proto',
      send: async (service, authorization) => {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const result = await otlpExport({ url: `${samplane.url}/v1/traces`, service, names: ['GET /'], headers });
        return result.ok ? 200 : (result.status ?? -1);
      },
    },
    {
      tag: 'otlp-json',
      send: async (service, authorization) => {
        const body = {
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
              scopeSpans: [
                { spans: [{ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'GET /' }] },
              ],
            },
          ],
        };
        const response = await fetch(`${samplane.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization && { authorization }) },
          body: JSON.stringify(body),
        });
        if (response.status === 401 || response.status === 403) {
          const refusal = (await response.json()) as { code: number };
          expect(refusal.code).toBe(response.status === 401 ? status.UNAUTHENTICATED : status.PERMISSION_DENIED);
        }
        return response.status;
      },
    },
    {
      tag: 'otlp-grpc',
      send: (service, authorization) => {
        const client = new TraceServiceClient(samplane.grpcAddress, { authorization });
        const spans = [{ traceId: randomBytes(16), spanId: randomBytes(8), name: 'GET /' }];
        const request = {
          resourceSpans: [
            { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
          ],
        };
        return grpcCode(client.export(request)).finally(() => client.close());
      },
    },
  ];

  it('answers every case on every transport as the token allows, and counts only what it accepts', async () => {
    const metricsBefore = await (await fetch(`${samplane.url}/metrics`)).text();
    const accepted: string[] = [];
    const refused: string[] = [];
    for (const transport of transports()) {
      const grpc = transport.tag.endsWith('grpc');
      for (const [label, authorization, service, http, code] of CASES) {
        const expected = grpc ? code : transport.tag.startsWith('otlp') && http === 202 ? 200 : http;
        const answer = await transport.send(service(transport.tag), authorization);
        expect({ transport: transport.tag, case: label, answer }).toEqual({ transport: transport.tag, case: label, answer: expected });
        (http === 202 ? accepted : refused).push(service(transport.tag));
      }
    }

    const metrics = await (await fetch(`${samplane.url}/metrics`)).text();
    const delta = (name: string, labels: Record<string, string>) =>
      (metricValue(metrics, name, labels) ?? 0) - (metricValue(metricsBefore, name, labels) ?? 0);
    // Two accepted documents per transport, one operation or root span each.
    expect(delta('samplane_ingest_operations_total', { source: 'report' })).toBe(4);
    expect(delta('samplane_ingest_operations_total', { source: 'otlp' })).toBe(6);
    expect(delta('samplane_ingest_auth_refused_total', { token: '', reason: 'missing_token' })).toBe(5);
    expect(delta('samplane_ingest_auth_refused_total', { token: '', reason: 'invalid_token' })).toBe(5);
    expect(delta('samplane_ingest_auth_refused_total', { token: '', reason: 'malformed_token' })).toBe(5);
    expect(delta('samplane_ingest_auth_refused_total', { token: 'team-a', reason: 'out_of_scope' })).toBe(5);
    // Who reported what: the token's name beside each service it reported for.
    for (const tag of ['report-http', 'report-grpc', 'otlp-proto', 'otlp-json', 'otlp-grpc']) {
      expect(metricValue(metrics, 'samplane_ingest_reported_total', { token: 'team-a', service: `shop-${tag}` })).toBe(1);
      expect(metricValue(metrics, 'samplane_ingest_reported_total', { token: 'collector', service: `any-${tag}` })).toBe(1);
    }
    expect(metrics).not.toContain(TEAM_A);
    expect(metrics).not.toContain(COLLECTOR);

    // The services view, once a calculation has seen the accepted ones, shows none of the refused.
    const viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    let listed: string[] = [];
    await waitFor(async () => {
      const answer = await viewer.get('/api/v1/services?limit=100');
      listed = (answer.body as { items: { service: string }[] }).items.map((item) => item.service);
      return accepted.every((service) => listed.includes(service));
    }, 'the accepted services in the services view');
    expect(listed.filter((service) => refused.includes(service))).toEqual([]);
    expect(samplane.output).not.toContain(TEAM_A);
    expect(samplane.output).not.toContain(COLLECTOR);
  });

  it('refuses a whole OTLP export that holds spans outside the token\'s scope', async () => {
    const before = await (await fetch(`${samplane.url}/metrics`)).text();
    const resource = (service: string) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans: [{ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), name: 'GET /' }] }],
    });
    const response = await fetch(`${samplane.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEAM_A}` },
      body: JSON.stringify({ resourceSpans: [resource('shop-mixed'), resource('billing-mixed')] }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain('"billing-mixed"');
    const after = await (await fetch(`${samplane.url}/metrics`)).text();
    const spans = (text: string) => metricValue(text, 'samplane_ingest_operations_total', { source: 'otlp' });
    expect(spans(after)).toBe(spans(before));
  });

  it('takes the reports of samplane/client configured with its ingest token', async () => {
    const client = (await import(BUILT_CLIENT)) as typeof import('../../src/client');
    const make = (service: string, ingestToken?: string) =>
      client.createSamplaneSampling({ endpoint: samplane.url, serviceName: service, reportIntervalMs: 100, ...(ingestToken && { ingestToken }) });
    const withToken = make('shop-node-client', TEAM_A);
    const withoutToken = make('shop-node-client-anonymous');
    try {
      for (const { sampler } of [withToken, withoutToken]) {
        for (let i = 0; i < 10; i++) sampler.shouldSample(ROOT_CONTEXT, randomBytes(16).toString('hex'), 'GET /', SpanKind.SERVER, {}, []);
      }
      await waitFor(async () => {
        const metrics = await (await fetch(`${samplane.url}/metrics`)).text();
        return (metricValue(metrics, 'samplane_ingest_reported_total', { token: 'team-a', service: 'shop-node-client' }) ?? 0) >= 1;
      }, 'the client\'s report to be counted under its token');
      await waitFor(() => withoutToken.spanProcessor.stats.refused > 0, 'the anonymous client to be refused');
    } finally {
      await Promise.all([withToken.spanProcessor.shutdown(), withoutToken.spanProcessor.shutdown()]);
    }
  });

  it('refuses an unauthenticated OTLP export before reading its body', async () => {
    // Headers announce 8 MiB that never come: only a refusal made before the body can answer.
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(`${samplane.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': String(8 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer).toBe(401);
  });

  it('keeps polls open: SDKs send no credentials', async () => {
    const response = await fetch(`${samplane.url}/sampling?service=shop-web`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { strategyType?: string }).strategyType).toBeDefined();
  });

  it('asks for a bearer token on a 401', async () => {
    const response = await fetch(`${samplane.url}/api/v1/throughput`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'shop', operations: [] }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="samplane"');
    expect(await response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });
});
