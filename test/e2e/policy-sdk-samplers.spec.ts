import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { AlwaysOffSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import {
  InMemoryReporter,
  type JaegerLogger,
  type JaegerMetricsFactory,
  type JaegerSpan,
  type Tracer,
  initTracer,
} from 'jaeger-client';
import { withCapturedIntervals } from '../support/captured-intervals';
import { SamplaneProcess } from '../support/samplane-process';
import { pollStrategy } from '../support/served-strategy';
import { binomialBounds, expectBinomial, randomTraceId, seededRandom } from '../support/statistics';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath, sqliteDir } from './policies-http';

const DECISIONS = 4_000;
const POLL_MS = 50;
const INITIAL = 0.001;

const CHECKOUT_POLICY = {
  mode: 'probabilistic',
  samplingRate: 0.3,
  operations: [
    { operation: 'GET /always', samplingRate: 1 },
    { operation: 'GET /never', samplingRate: 0 },
  ],
};
const DEFAULT_POLICY = { mode: 'probabilistic', samplingRate: 0.6 };

/** A legacy jaeger-client tracer, configured as its users do, that counts its own polls. */
class JaegerClientApp {
  polls = 0;
  failures: string[] = [];
  readonly tracer: Tracer;

  constructor(serviceName: string, port: number) {
    const metrics: JaegerMetricsFactory = {
      createCounter: (name, tags) => ({
        increment: (delta = 1) => {
          if (name === 'jaeger:sampler_queries' && tags?.result === 'ok') this.polls += delta;
          if (name === 'jaeger:sampler_updates' && tags?.result === 'err') this.failures.push(name);
        },
      }),
      createTimer: () => ({ record: () => undefined }),
      createGauge: () => ({ update: () => undefined }),
    };
    const logger: JaegerLogger = { info: () => undefined, error: (message) => this.failures.push(message) };
    this.tracer = initTracer(
      {
        serviceName,
        // Samples nothing until its first answer is applied.
        sampler: { type: 'remote', param: 0, host: '127.0.0.1', port, refreshIntervalMs: POLL_MS },
      },
      { reporter: new InMemoryReporter(), logger, metrics },
    );
  }

  /**
   * Resolves once the client has applied an answer requested after this call: it applies each
   * answer as it arrives, so the second one counted from now was asked for after now.
   */
  async pollsAgain(): Promise<void> {
    const seen = this.polls;
    await waitFor(() => this.polls >= seen + 2, `jaeger-client to poll twice (errors: ${this.failures.join('; ')})`);
  }

  startSpans(operation: string, count = DECISIONS): JaegerSpan[] {
    return Array.from({ length: count }, () => this.tracer.startSpan(operation));
  }

  sampled(operation: string, count = DECISIONS): JaegerSpan[] {
    return this.startSpans(operation, count).filter((span) => span.context().isSampled());
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.tracer.close(resolve));
  }
}

function tag(span: JaegerSpan, key: string): unknown {
  return span._tags.find((t) => t.key === key)?.value;
}

/** The distinct `sampler.type:sampler.param` tags jaeger-client wrote on sampled spans. */
function taggedWith(spans: JaegerSpan[]): string[] {
  return [...new Set(spans.map((span) => `${String(tag(span, 'sampler.type'))}:${String(tag(span, 'sampler.param'))}`))];
}

/** jaeger-client's lower-bound limiter may add one trace in a run this short (see jaeger-client.spec). */
function expectAbout(sampled: number, p: number, what: string, lowerBound = false): void {
  const { low, high } = binomialBounds(DECISIONS, p);
  if (sampled < low || sampled > high + (lowerBound ? 1 : 0)) {
    throw new Error(`${what}: sampled ${sampled} of ${DECISIONS}, expected ${low}..${high} for probability ${p}`);
  }
}

/**
 * The engine steers this traffic between 0.001 and 0.002 (its first bucket is partial, so it
 * may start by doubling; see ADAPTIVE_MIN_SAMPLING_PROBABILITY below for the floor), and where
 * in that range it is at a given moment depends on timing: counts must fit anywhere in it.
 */
function expectEngineRate(sampled: number, what: string): void {
  const low = binomialBounds(DECISIONS, INITIAL).low;
  const high = binomialBounds(DECISIONS, 2 * INITIAL).high + 1;
  if (sampled < low || sampled > high) {
    throw new Error(`${what}: sampled ${sampled} of ${DECISIONS}, expected ${low}..${high} for the engine's 0.001 to 0.002`);
  }
}

/**
 * Operator policies reach unmodified SDK samplers: the legacy `jaeger-client` (configured
 * through `initTracer`, `sampler.type: 'remote'`) and the OpenTelemetry JS
 * `JaegerRemoteSampler`, both polling every 50 ms, follow a policy that pins one operation to
 * 1, another to 0 and samples the rest at the policy's rate, the default policy `*`, and the
 * deletes that hand the services back to the engine.
 *
 * The SDKs have already sampled the operations under the adaptive default before the
 * policies arrive, and report their traffic as SDKs do. jaeger-client keeps a sampler per
 * operation it has seen and updates only those an answer lists, so an answer that left a seen
 * operation out would leave it at its old rate in every such client.
 */
describe('policy changes reaching real SDK samplers', () => {
  let samplane: SamplaneProcess;
  let reporter: SteadyReporter;
  let operator: AdminClient;
  const dir = sqliteDir();
  const jaeger: Record<string, JaegerClientApp> = {};
  const otel: Record<string, JaegerRemoteSampler> = {};
  const stopTimers: Array<() => void> = [];

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADMIN_TOKENS,
      SQLITE_PATH: dir.path,
      ADAPTIVE_CALCULATION_INTERVAL: '2s',
      ADAPTIVE_DELAY: '1s',
      // Keeps the engine's rates for this traffic between 0.001 and 0.002 whatever the SDKs did under
      // the policies, so the rates after the deletes are known without replaying the engine.
      ADAPTIVE_MIN_SAMPLING_PROBABILITY: String(INITIAL),
    });
    operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    // 1,000 requests/s at 0.001 is the default target of 1 sampled trace/s: rates stay near 0.001.
    const operations = ['GET /cart', 'GET /always', 'GET /never'];
    reporter = new SteadyReporter(
      samplane.url,
      operations.map((operation) => ({ service: 'checkout', operation, requestsPerSecond: 1_000 })),
    );
    reporter.start();
    for (const service of ['checkout', 'inventory', 'batch']) {
      jaeger[service] = new JaegerClientApp(service, samplane.httpPort);
      const { value, clear } = withCapturedIntervals(
        () =>
          new JaegerRemoteSampler({
            endpoint: samplane.url,
            serviceName: service,
            poolingInterval: POLL_MS,
            initialSampler: new AlwaysOffSampler(),
          }),
      );
      otel[service] = value;
      stopTimers.push(clear);
    }
  });

  afterAll(async () => {
    stopTimers.forEach((stop) => stop());
    await Promise.all(Object.values(jaeger).map((app) => app.close()));
    await reporter?.stop();
    await samplane?.stop('SIGKILL');
    dir.remove();
  });

  /** Root-span decisions over seeded trace IDs: the same counts on every run. */
  function otelSampled(service: string, operation: string, seed: number): number {
    const random = seededRandom(seed);
    let sampled = 0;
    for (let i = 0; i < DECISIONS; i++) {
      const result = otel[service].shouldSample(ROOT_CONTEXT, randomTraceId(random), operation, SpanKind.SERVER, {}, []);
      if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    return sampled;
  }

  it('samples at the engine’s rates before any policy, every reported operation listed', async () => {
    const served = await waitFor(async () => {
      const strategy = await pollStrategy(samplane.url, 'checkout');
      return strategy.operationSampling?.perOperationStrategies.length === 3 ? strategy : undefined;
    }, 'the engine to compute the reported operations');
    // Timing (a late report, a partial bucket) may put a rate anywhere between the two.
    for (const op of served.operationSampling?.perOperationStrategies ?? []) {
      expect(op.probabilisticSampling.samplingRate).toBeGreaterThanOrEqual(INITIAL);
      expect(op.probabilisticSampling.samplingRate).toBeLessThanOrEqual(2 * INITIAL);
    }
    await Promise.all(Object.values(jaeger).map((app) => app.pollsAgain()));
    await waitFor(() => otel.checkout.toString().includes('GET /always=TraceIdRatioBased{0.00'), 'OTel to apply it');
    await waitFor(() => otel.inventory.toString().includes('sampler=ParentBased'), 'OTel to poll for inventory');

    for (const [index, operation] of ['GET /cart', 'GET /always', 'GET /never'].entries()) {
      expectEngineRate(jaeger.checkout.sampled(operation).length, `jaeger-client ${operation}`);
      expectEngineRate(otelSampled('checkout', operation, 1 + index), `OTel ${operation}`);
    }
    expectAbout(jaeger.inventory.sampled('GET /stock').length, INITIAL, 'jaeger-client inventory', true);
    expectBinomial(otelSampled('inventory', 'GET /stock', 4), DECISIONS, INITIAL, 'OTel inventory');
  });

  it('follows a policy pinning one operation to 1 and another to 0, and the default policy *', async () => {
    expect((await operator.put(policyPath('checkout'), CHECKOUT_POLICY)).status).toBe(201);
    expect((await operator.put(policyPath('*'), DEFAULT_POLICY)).status).toBe(201);
    await Promise.all(Object.values(jaeger).map((app) => app.pollsAgain()));
    await waitFor(() => otel.checkout.toString().includes('GET /always=TraceIdRatioBased{1}'), 'OTel to apply the policy');
    await waitFor(() => otel.inventory.toString().includes('root=TraceIdRatioBased{0.6}'), 'OTel to apply *');

    // Pinned operations: every decision, exactly.
    expect(jaeger.checkout.sampled('GET /always')).toHaveLength(DECISIONS);
    expect(jaeger.checkout.sampled('GET /never')).toHaveLength(0);
    expect(otelSampled('checkout', 'GET /always', 5)).toBe(DECISIONS);
    expect(otelSampled('checkout', 'GET /never', 6)).toBe(0);

    // The policy's rate, for an operation the SDK had sampled at 0.001 and for a new one.
    for (const [index, operation] of ['GET /cart', 'GET /new'].entries()) {
      const hits = jaeger.checkout.sampled(operation);
      expectBinomial(hits.length, DECISIONS, 0.3, `jaeger-client ${operation}`);
      expect(taggedWith(hits)).toEqual(['probabilistic:0.3']);
      expectBinomial(otelSampled('checkout', operation, 7 + index), DECISIONS, 0.3, `OTel ${operation}`);
    }

    // A service without a policy of its own gets *.
    const stock = jaeger.inventory.sampled('GET /stock');
    expectBinomial(stock.length, DECISIONS, 0.6, 'jaeger-client inventory');
    expect(tag(stock[0], 'sampler.param')).toBe(0.6);
    expectBinomial(otelSampled('inventory', 'GET /stock', 9), DECISIONS, 0.6, 'OTel inventory');
    expect([...Object.values(jaeger).flatMap((app) => app.failures), ...reporter.failures]).toEqual([]);
  });

  it('returns to the engine’s rates once the policies are deleted', async () => {
    expect((await operator.delete(policyPath('checkout'))).status).toBe(204);
    expect((await operator.delete(policyPath('*'))).status).toBe(204);
    await Promise.all(Object.values(jaeger).map((app) => app.pollsAgain()));
    await waitFor(() => !otel.checkout.toString().includes('TraceIdRatioBased{1}'), 'OTel to drop the pins');
    await waitFor(() => !otel.inventory.toString().includes('0.6'), 'OTel to drop *');

    for (const [index, operation] of ['GET /always', 'GET /never', 'GET /cart'].entries()) {
      expectEngineRate(jaeger.checkout.sampled(operation).length, `jaeger-client ${operation}`);
      expectEngineRate(otelSampled('checkout', operation, 10 + index), `OTel ${operation}`);
    }
    expectAbout(jaeger.inventory.sampled('GET /stock').length, INITIAL, 'jaeger-client inventory', true);
    expectBinomial(otelSampled('inventory', 'GET /stock', 13), DECISIONS, INITIAL, 'OTel inventory');
    expect([...Object.values(jaeger).flatMap((app) => app.failures), ...reporter.failures]).toEqual([]);
  });

  it('applies a probabilistic policy’s lower bound where the SDK honours one', async () => {
    const LOWER_BOUND = 10;
    const policy = { mode: 'probabilistic', samplingRate: 0, lowerBoundTracesPerSecond: LOWER_BOUND };
    expect((await operator.put(policyPath('batch'), policy)).status).toBe(201);
    await jaeger.batch.pollsAgain();
    await waitFor(() => otel.batch.toString().includes('root=TraceIdRatioBased{0}'), 'OTel to apply the policy');

    // jaeger-client's limiter for a new operation starts with up to LOWER_BOUND credits and
    // earns LOWER_BOUND per second: steady demand for about a second gets that many, give or
    // take the credit at either end.
    const started = Date.now();
    const hits: JaegerSpan[] = [];
    while (Date.now() - started < 1_000) {
      hits.push(...jaeger.batch.sampled('GET /rare', 200));
      // Lets the client's own poll timer run, as it would in a real service.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (Date.now() - started) / 1000;
    expect(hits.length).toBeGreaterThanOrEqual(Math.floor(LOWER_BOUND * seconds) - 1);
    expect(hits.length).toBeLessThanOrEqual(LOWER_BOUND + Math.ceil(LOWER_BOUND * seconds) + 1);
    expect(taggedWith(hits)).toEqual(['lowerbound:0']);
    // OpenTelemetry JS ignores lower bounds: the rate alone applies.
    expect(otelSampled('batch', 'GET /rare', 14)).toBe(0);
  });
});
