import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT_CONTEXT, SpanKind, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { metricValue } from '../support/metrics-text';
import { binomialBounds } from '../support/statistics';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

type Client = typeof import('../../src/client');

/** The entry point applications load as `samplane/client`: the build's output, not the sources. */
const BUILT_CLIENT = join(__dirname, '..', '..', 'dist', 'client', 'index.js');
const SERVICE = 'shop';
const TARGET = 5;
/** Root spans per second the application makes. */
const RATES: Record<string, number> = { 'GET /cart': 1_000, 'POST /pay': 150 };
const OPERATIONS = Object.keys(RATES);
const INITIAL = 0.001;
const goal = (operation: string) => TARGET / RATES[operation];
/** Jaeger's rule leaves a probability alone within 30 % of the target. */
const inBand = (operation: string, p: number) => Math.abs(p * RATES[operation] - TARGET) / TARGET < 0.3;

interface StrategyJson {
  probabilisticSampling?: { samplingRate: number };
  operationSampling?: {
    defaultSamplingProbability: number;
    perOperationStrategies: Array<{ operation: string; probabilisticSampling: { samplingRate: number } }>;
  };
}

/** What Samplane serves `operation` now, as an SDK reads it. */
async function served(samplane: SamplaneProcess, operation: string): Promise<number> {
  const strategy = (await samplane.poll(SERVICE)) as StrategyJson;
  const own = strategy.operationSampling?.perOperationStrategies.find((op) => op.operation === operation);
  return (
    own?.probabilisticSampling.samplingRate ??
    strategy.operationSampling?.defaultSamplingProbability ??
    strategy.probabilisticSampling?.samplingRate ??
    NaN
  );
}

async function reportsAccepted(samplane: SamplaneProcess): Promise<number> {
  const text = await (await fetch(`${samplane.url}/metrics`)).text();
  return metricValue(text, 'samplane_ingest_documents_total', { source: 'report' }) ?? 0;
}

interface Second {
  made: Record<string, number>;
  sampled: Record<string, number>;
}

/**
 * Makes root spans at each operation's rate on real time, in small steps, until stopped;
 * counts, per second, how many it made and how many the SDK sampled.
 */
function generateLoad(tracer: Tracer): { stop(): void; seconds: Second[] } {
  const seconds: Second[] = [];
  const zero = () => Object.fromEntries(OPERATIONS.map((op) => [op, 0]));
  const carry: Record<string, number> = zero();
  let current: Second = { made: zero(), sampled: zero() };
  let last = Date.now();
  let secondStart = last;
  const timer = setInterval(() => {
    const now = Date.now();
    for (const op of OPERATIONS) {
      carry[op] += (RATES[op] * (now - last)) / 1000;
      const count = Math.floor(carry[op]);
      carry[op] -= count;
      for (let i = 0; i < count; i++) {
        const span = tracer.startSpan(op, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
        if (span.isRecording()) current.sampled[op]++;
        span.end();
      }
      current.made[op] += count;
    }
    last = now;
    if (now - secondStart >= 1000) {
      seconds.push(current);
      current = { made: zero(), sampled: zero() };
      secondStart += 1000;
    }
  }, 20);
  return { stop: () => clearInterval(timer), seconds };
}

/**
 * Samplane's own Node client in an OpenTelemetry SDK application: a NodeTracerProvider whose
 * sampler is `SamplaneSampler` and whose processors include `SamplaneSpanProcessor`, loaded from
 * the build as applications load it, against the built Samplane on a fast engine cadence.
 */
describe('the Node client (samplane/client) against Samplane', () => {
  let samplane: SamplaneProcess;
  let provider: NodeTracerProvider | undefined;
  let load: ReturnType<typeof generateLoad> | undefined;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADAPTIVE_CALCULATION_INTERVAL: '2s',
      ADAPTIVE_DELAY: '1s',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET),
    });
  });

  afterAll(async () => {
    load?.stop();
    await provider?.shutdown();
    await samplane?.stop();
  });

  it('loads from the build without the server or its framework', () => {
    const dist = join(__dirname, '..', '..', 'dist');
    const script =
      `const client = require(${JSON.stringify(BUILT_CLIENT)});` +
      `const dist = ${JSON.stringify(dist)}, own = ${JSON.stringify(join(dist, 'client'))};` +
      'const server = Object.keys(require.cache).filter((path) =>' +
      ' /@nestjs|fastify|ioredis|typeorm|reflect-metadata/.test(path) || (path.startsWith(dist) && !path.startsWith(own)));' +
      'console.log(JSON.stringify({ exports: Object.keys(client).sort(), server }));';

    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
      exports: string[];
      server: string[];
    };

    expect(result.exports).toEqual(
      expect.arrayContaining(['SamplaneSampler', 'SamplaneSpanProcessor', 'createSamplaneSampling']),
    );
    expect(result.server).toEqual([]);
  });

  it('reports its traffic, and Samplane moves each operation’s probability toward the target', async () => {
    const client = (await import(BUILT_CLIENT)) as Client;
    const { sampler, spanProcessor } = client.createSamplaneSampling({
      endpoint: samplane.url,
      serviceName: SERVICE,
      pollIntervalMs: 500,
      reportIntervalMs: 1_000,
    });
    const exported = new InMemorySpanExporter();
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      sampler,
      spanProcessors: [spanProcessor, new SimpleSpanProcessor(exported)],
    });
    const reportsBefore = await reportsAccepted(samplane);
    load = generateLoad(provider.getTracer('load'));

    // Reports arrive.
    await waitFor(async () => (await reportsAccepted(samplane)) >= reportsBefore + 3, 'three reports to be accepted');

    // Samplane raises each operation from the initial probability into the band around its goal.
    const history: Record<string, number[]> = Object.fromEntries(OPERATIONS.map((op) => [op, [INITIAL]]));
    const reached = new Set<string>();
    await waitFor(
      async () => {
        for (const op of OPERATIONS) {
          const p = await served(samplane, op);
          if (p !== history[op][history[op].length - 1]) history[op].push(p);
          if (inBand(op, p)) reached.add(op);
        }
        return reached.size === OPERATIONS.length;
      },
      'each operation to be served a probability in the band around its goal',
      45_000,
      250,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: served ${JSON.stringify(history)}`);
    });
    for (const op of OPERATIONS) {
      expect(Math.min(...history[op].slice(1))).toBeGreaterThan(INITIAL);
      // Jaeger's rule may overshoot once at this cadence; it must not run away.
      for (const p of history[op]) expect(p).toBeLessThan(goal(op) * 6);
    }

    // The client applies what is served within a poll or two, and tags what it keeps with it.
    const applied = (): Map<string, number> => {
      const strategy = sampler.strategy;
      return new Map(strategy.kind === 'per-operation' ? strategy.operations : []);
    };
    await waitFor(async () => {
      const now = await Promise.all(OPERATIONS.map((op) => served(samplane, op)));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      return OPERATIONS.every((op, i) => applied().get(op) === now[i]);
    }, 'the client to apply what Samplane serves');
    const before = applied();
    const from = load.seconds.length;
    exported.reset();
    // Four whole seconds of load on what it applied.
    await waitFor(() => load && load.seconds.length >= from + 5, 'five more seconds of load', 10_000);
    const after = applied();
    const kept = exported.getFinishedSpans().filter((span) => span.attributes['sampler.type'] === 'probabilistic');
    expect(kept.length).toBeGreaterThan(0);
    for (const span of kept) {
      expect([before.get(span.name), after.get(span.name)]).toContain(span.attributes['sampler.param']);
    }

    // Meanwhile the SDK sampled at what it applied (the lower bound adds at most one a minute).
    const seconds = load.seconds.slice(from + 1);
    for (const op of OPERATIONS) {
      const made = seconds.reduce((sum, second) => sum + second.made[op], 0);
      const sampled = seconds.reduce((sum, second) => sum + second.sampled[op], 0);
      const [low, high] = [before.get(op) ?? NaN, after.get(op) ?? NaN].sort((a, b) => a - b);
      expect(sampled).toBeGreaterThanOrEqual(binomialBounds(made, low).low);
      expect(sampled).toBeLessThanOrEqual(binomialBounds(made, high).high + 1);
    }
    expect(spanProcessor.stats.failed).toBe(0);
  }, 90_000);
});
