import {
  InMemoryReporter,
  type JaegerLogger,
  type JaegerSpan,
  ProbabilisticSampler,
  RemoteSampler,
  Tracer,
  initTracer,
} from 'jaeger-client';
import { STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { SamplaneProcess } from '../support/samplane-process';
import { binomialBounds, expectBinomial } from '../support/statistics';
import { waitFor } from '../support/wait';

const SPANS = 20_000;
const REFRESH_MS = 50;

/**
 * The legacy Node `jaeger-client`, unmodified, polling Samplane over HTTP. Its probabilistic
 * decisions come from Math.random, so counts are checked against binomial bounds.
 */
describe('jaeger-client RemoteSampler against Samplane', () => {
  let samplane: SamplaneProcess;
  const tracers: Tracer[] = [];
  const clientErrors: string[] = [];
  const logger: JaegerLogger = { info: () => undefined, error: (message) => clientErrors.push(message) };

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ STRATEGIES_FILE });
  });

  afterAll(async () => {
    await Promise.all(tracers.map((tracer) => new Promise<void>((resolve) => tracer.close(resolve))));
    await samplane?.stop();
  });

  /** A tracer whose remote sampler has applied at least one answer from Samplane. */
  async function pollingTracer(serviceName: string, options: { hostPort?: string; samplingPath?: string } = {}) {
    let updates = 0;
    const sampler = new RemoteSampler(serviceName, {
      // Samples nothing until the first answer is applied, so early decisions cannot pass.
      sampler: new ProbabilisticSampler(0),
      refreshInterval: REFRESH_MS,
      logger,
      ...(options.hostPort ? { hostPort: options.hostPort } : { host: '127.0.0.1', port: samplane.httpPort }),
      samplingPath: options.samplingPath,
      onSamplerUpdate: () => updates++,
    });
    const reporter = new InMemoryReporter();
    const tracer = new Tracer(serviceName, reporter, sampler, { logger });
    tracers.push(tracer);
    await waitFor(() => updates > 0, `${serviceName}'s sampler to apply a strategy (client errors: ${clientErrors.join('; ')})`);
    return tracer;
  }

  function startSpans(tracer: Tracer, operation: string, count: number): JaegerSpan[] {
    const spans: JaegerSpan[] = [];
    for (let i = 0; i < count; i++) spans.push(tracer.startSpan(operation));
    return spans;
  }

  function sampled(spans: JaegerSpan[]): JaegerSpan[] {
    return spans.filter((span) => span.context().isSampled());
  }

  function tag(span: JaegerSpan, key: string): unknown {
    return span._tags.find((t) => t.key === key)?.value;
  }

  it('samples each operation at its served rate and tags the spans with it', async () => {
    const tracer = await pollingTracer('checkout');
    const rates: Array<[string, number]> = [
      ['GET /cart', 0.8],
      ['POST /pay', 0.05],
      ['GET /unlisted', 0.2],
    ];
    for (const [operation, rate] of rates) {
      const hits = sampled(startSpans(tracer, operation, SPANS));
      expectBinomial(hits.length, SPANS, rate, operation);
      // The file's lower bound is 0, so every sampled span was sampled probabilistically.
      expect(new Set(hits.map((span) => `${String(tag(span, 'sampler.type'))}:${String(tag(span, 'sampler.param'))}`))).toEqual(
        new Set([`probabilistic:${rate}`]),
      );
    }
    expect(sampled(startSpans(tracer, 'GET /health', SPANS))).toHaveLength(0);
  });

  it('reaches the service through hostPort and /api/sampling, encoding the name itself', async () => {
    // jaeger-client percent-encodes "svc%prod" as "svc%25prod"; OTel JS sends it raw.
    const tracer = await pollingTracer('svc%prod', {
      hostPort: `127.0.0.1:${samplane.httpPort}`,
      samplingPath: '/api/sampling',
    });
    const hits = sampled(startSpans(tracer, 'GET /', SPANS));
    expectBinomial(hits.length, SPANS, 0.25, 'svc%prod');
    expect(tag(hits[0], 'sampler.param')).toBe(0.25);
  });

  it('gives an unknown service the adaptive default: 0.001 plus a lower bound of 1/60 per second', async () => {
    const tracer = await pollingTracer('never-configured');
    const hits = sampled(startSpans(tracer, 'GET /', SPANS));
    // The lower-bound limiter starts with less than one credit and earns 1/60 per second, so
    // it adds at most one trace to the probabilistic ones in a run this short.
    const { low, high } = binomialBounds(SPANS, 0.001);
    expect(hits.length).toBeGreaterThanOrEqual(low);
    expect(hits.length).toBeLessThanOrEqual(high + 1);
    for (const span of hits) {
      expect(['probabilistic', 'lowerbound']).toContain(tag(span, 'sampler.type'));
      expect(tag(span, 'sampler.param')).toBe(0.001);
    }
  });

  it('rate-limits a ratelimiting service to its maxTracesPerSecond (configured through initTracer)', async () => {
    const reporter = new InMemoryReporter();
    const tracer = initTracer(
      {
        serviceName: 'ratelimited',
        sampler: { type: 'remote', param: 0, host: '127.0.0.1', port: samplane.httpPort, refreshIntervalMs: REFRESH_MS },
      },
      { reporter, logger },
    );
    tracers.push(tracer);
    // The initial sampler (probabilistic 0) samples nothing, so the first sampled span
    // means the rate-limiting strategy is in place.
    const first = await waitFor(() => {
      const span = tracer.startSpan('probe');
      return span.context().isSampled() ? span : undefined;
    }, 'the ratelimiting strategy to be applied');
    expect(tag(first, 'sampler.type')).toBe('ratelimiting');
    expect(tag(first, 'sampler.param')).toBe(5);

    // A token bucket of 5 credits earning 5 per second: a burst gets at most what the bucket
    // holds plus what it earned while the burst ran.
    const burstStarted = Date.now();
    const burst = sampled(startSpans(tracer, 'GET /', 2_000)).length;
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    expect(burst).toBeLessThanOrEqual(Math.floor(5 + 5 * burstSeconds));

    // With the bucket drained (under one credit left), steady demand for about a second gets
    // what the bucket earns: 5 per second, give or take the credit left over at each end.
    const started = Date.now();
    let steady = 0;
    while (Date.now() - started < 1_000) {
      steady += sampled(startSpans(tracer, 'GET /', 200)).length;
      // Yield so the client's own poll timer keeps running, as it would in a real service.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (Date.now() - started) / 1000;
    expect(steady).toBeGreaterThanOrEqual(Math.floor(5 * seconds) - 1);
    expect(steady).toBeLessThanOrEqual(Math.ceil(5 * seconds) + 1);
  });
});
