import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { withCapturedIntervals } from '../support/captured-intervals';
import { type RawResponse, RawHttpConnection } from '../support/raw-http';
import { RevalidatingProxy } from '../support/revalidating-proxy';
import { SamplaneProcess } from '../support/samplane-process';
import { expectBinomial, randomTraceId, seededRandom } from '../support/statistics';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath } from './policies-http';

/**
 * Both ways a poll is answered: the fast lane takes a plain `GET /sampling?service=…`; anything
 * it does not recognise exactly, such as a percent-encoded path, goes through the Fastify route.
 * Both must speak the same conditional-request protocol.
 */
const LANES = [
  ['fast lane', (service: string) => `/sampling?service=${service}`],
  ['Fastify route', (service: string) => `/%73ampling?service=${service}`],
  ['Fastify route, /api', (service: string) => `/api/%73ampling?service=${service}`],
] as const;

async function rawPoll(port: number, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const connection = new RawHttpConnection(port);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);
  return connection.response();
}

function header(response: RawResponse, name: string): string | undefined {
  const line = response.head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('conditional Jaeger HTTP polls', () => {
  let samplane: SamplaneProcess;
  let shortAge: SamplaneProcess;
  let operator: AdminClient;
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    [samplane, shortAge] = await Promise.all([
      SamplaneProcess.start({ ADMIN_TOKENS, POLICY_RELOAD_INTERVAL: '200ms' }),
      SamplaneProcess.start({ POLL_MAX_AGE: '15s' }),
    ]);
    operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
  });

  afterAll(async () => {
    stops.forEach((stop) => stop());
    await Promise.all([samplane?.stop(), shortAge?.stop()]);
  });

  async function pin(service: string, samplingRate: number): Promise<void> {
    const answer = await operator.put(policyPath(service), { mode: 'probabilistic', samplingRate });
    if (answer.status >= 300) throw new Error(`PUT ${service}: ${answer.status} ${answer.text}`);
  }

  it.each(LANES)('%s: 200 with ETag and max-age, 304 with an empty body for the same tag', async (_lane, target) => {
    const first = await rawPoll(samplane.httpPort, target('etag-a'));
    expect(first.status).toBe(200);
    const etag = header(first, 'etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(header(first, 'cache-control')).toBe('max-age=60');
    expect(JSON.parse(first.body)).toHaveProperty('strategyType');

    const again = await rawPoll(samplane.httpPort, target('etag-a'), { 'If-None-Match': etag ?? '' });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(header(again, 'etag')).toBe(etag);
    expect(header(again, 'cache-control')).toBe('max-age=60');
    expect(header(again, 'content-length') ?? '0').toBe('0');

    const weak = await rawPoll(samplane.httpPort, target('etag-a'), { 'If-None-Match': `"other", W/${etag}` });
    expect(weak.status).toBe(304);
    const star = await rawPoll(samplane.httpPort, target('etag-a'), { 'If-None-Match': '*' });
    expect(star.status).toBe(304);
    const stale = await rawPoll(samplane.httpPort, target('etag-a'), { 'If-None-Match': '"not-the-tag"' });
    expect(stale.status).toBe(200);
    expect(stale.body).toBe(first.body);
  });

  it('gives the same tag through both lanes and to every replica serving the same bytes', async () => {
    const fast = await rawPoll(samplane.httpPort, '/sampling?service=same-everywhere');
    const routed = await rawPoll(samplane.httpPort, '/%73ampling?service=same-everywhere');
    const other = await rawPoll(shortAge.httpPort, '/sampling?service=same-everywhere');
    expect(fast.body).toBe(other.body);
    expect(header(routed, 'etag')).toBe(header(fast, 'etag'));
    expect(header(other, 'etag')).toBe(header(fast, 'etag'));
    expect(header(other, 'cache-control')).toBe('max-age=15');
  });

  it.each(LANES)('%s: a policy change gives 200 with a new tag for the old one', async (lane, target) => {
    const service = `changing-${lane.replace(/\W/g, '')}`;
    await pin(service, 0.3);
    await waitFor(async () => (await rawPoll(samplane.httpPort, target(service))).body.includes('0.3'), 'policy 0.3');
    const before = await rawPoll(samplane.httpPort, target(service));
    const oldTag = header(before, 'etag') ?? '';
    expect((await rawPoll(samplane.httpPort, target(service), { 'If-None-Match': oldTag })).status).toBe(304);

    await pin(service, 0.6);
    const after = await waitFor(async () => {
      const answer = await rawPoll(samplane.httpPort, target(service), { 'If-None-Match': oldTag });
      return answer.status === 200 ? answer : undefined;
    }, 'the change to show as 200');
    expect(JSON.parse(after.body)).toMatchObject({ probabilisticSampling: { samplingRate: 0.6 } });
    expect(header(after, 'etag')).not.toBe(oldTag);
  });

  it('counts 304s as not_modified polls', async () => {
    const before = await samplane.metric('samplane_polls_total', { protocol: 'http', outcome: 'not_modified' });
    const first = await rawPoll(samplane.httpPort, '/sampling?service=counted');
    await rawPoll(samplane.httpPort, '/sampling?service=counted', { 'If-None-Match': header(first, 'etag') ?? '' });
    const after = await samplane.metric('samplane_polls_total', { protocol: 'http', outcome: 'not_modified' });
    expect(after - before).toBe(1);
  });

  describe('the OTel JS Jaeger remote sampler', () => {
    const DECISIONS = 20_000;

    function sampledShare(sampler: JaegerRemoteSampler, seed: number): number {
      const random = seededRandom(seed);
      let sampled = 0;
      for (let i = 0; i < DECISIONS; i++) {
        const result = sampler.shouldSample(ROOT_CONTEXT, randomTraceId(random), 'GET /x', SpanKind.SERVER, {}, []);
        if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
      }
      return sampled;
    }

    function sampler(endpoint: string, serviceName: string): JaegerRemoteSampler {
      const { value, clear } = withCapturedIntervals(
        () => new JaegerRemoteSampler({ endpoint, serviceName, poolingInterval: 50, initialSampler: new AlwaysOnSampler() }),
      );
      stops.push(clear);
      return value;
    }

    it.each([
      ['directly', false],
      ['through a revalidating cache', true],
    ])('follows policy changes %s', async (_how, cached) => {
      const service = cached ? 'otel-cached' : 'otel-direct';
      await pin(service, 0.3);
      let endpoint = samplane.url;
      let proxy: RevalidatingProxy | undefined;
      if (cached) {
        proxy = new RevalidatingProxy(samplane.url);
        endpoint = await proxy.start();
      }
      try {
        const remote = sampler(endpoint, service);
        await waitFor(() => remote.toString().includes('TraceIdRatioBased{0.3}'), 'the sampler to apply 0.3');
        expectBinomial(sampledShare(remote, 1), DECISIONS, 0.3, `${service} at 0.3`);
        if (proxy) {
          await waitFor(() => proxy.originStatuses.filter((s) => s === 304).length >= 5, 'revalidations');
        }
        await pin(service, 0.7);
        await waitFor(() => remote.toString().includes('TraceIdRatioBased{0.7}'), 'the sampler to apply 0.7');
        expectBinomial(sampledShare(remote, 2), DECISIONS, 0.7, `${service} at 0.7`);
      } finally {
        await proxy?.stop();
      }
    });
  });
});
