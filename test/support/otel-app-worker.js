// An application instrumented with the OpenTelemetry JS SDK as its users set it up: a
// NodeTracerProvider whose sampler is the Jaeger remote sampler polling Samplane, and a batch
// span processor exporting OTLP/protobuf to Samplane's /v1/traces. It makes root spans for
// each operation at its rate and tells its parent, every second, how many the SDK sampled.
//
// It runs in a worker thread, outside Jest's module sandbox: the OTLP exporter loads `http`
// with a dynamic import(), which that sandbox refuses without --experimental-vm-modules.
// Plain JavaScript so that Node runs it as is.
const { parentPort, workerData } = require('node:worker_threads');
const { ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { JaegerRemoteSampler } = require('@opentelemetry/sampler-jaeger-remote');
const { AlwaysOffSampler, BatchSpanProcessor, NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');

/**
 * `exportDelayMs` null: the batch span processor's own default (5 s), as an unmodified SDK.
 * @type {{ endpoint: string, service: string, rates: Record<string, number>, pollingIntervalMs: number, maxDurationMs: number, exportDelayMs?: number | null }}
 */
const { endpoint, service, rates, pollingIntervalMs, maxDurationMs, exportDelayMs = 200 } = workerData;
const TICK_MS = 20;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  let stopRequested = false;
  parentPort.on('message', (message) => {
    if (message === 'stop') stopRequested = true;
  });

  const sampler = new JaegerRemoteSampler({
    endpoint,
    serviceName: service,
    poolingInterval: pollingIntervalMs,
    // Nothing is sampled until the first strategy arrives, so every sampled span was sampled
    // at a probability Samplane served.
    initialSampler: new AlwaysOffSampler(),
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    sampler,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), {
        ...(exportDelayMs === null ? {} : { scheduledDelayMillis: exportDelayMs, maxQueueSize: 10_000 }),
      }),
    ],
  });
  const tracer = provider.getTracer('load-generator');
  const started = Date.now();
  while (!sampler.toString().includes('sampler=ParentBased')) {
    if (Date.now() - started > 10_000) throw new Error('the Jaeger remote sampler never applied a strategy');
    await sleep(TICK_MS);
  }
  parentPort.postMessage({ type: 'polled' });

  const operations = Object.keys(rates);
  const carry = Object.fromEntries(operations.map((op) => [op, 0]));
  let second = 0;
  let secondStart = Date.now();
  let sampled = Object.fromEntries(operations.map((op) => [op, 0]));
  let made = Object.fromEntries(operations.map((op) => [op, 0]));
  let last = Date.now();
  const deadline = Date.now() + maxDurationMs;
  while (!stopRequested && Date.now() < deadline) {
    await sleep(TICK_MS);
    const now = Date.now();
    for (const op of operations) {
      carry[op] += (rates[op] * (now - last)) / 1000;
      const count = Math.floor(carry[op]);
      carry[op] -= count;
      for (let i = 0; i < count; i++) {
        const span = tracer.startSpan(op, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
        if (span.isRecording()) sampled[op]++;
        span.end();
      }
      made[op] += count;
    }
    last = now;
    if (now - secondStart >= 1000) {
      parentPort.postMessage({ type: 'second', second, sampled, made });
      second++;
      secondStart += 1000;
      sampled = Object.fromEntries(operations.map((op) => [op, 0]));
      made = Object.fromEntries(operations.map((op) => [op, 0]));
    }
  }
  parentPort.postMessage({ type: 'second', second, sampled, made, partial: true });
  // Exports whatever the batch processor still holds, as an application does on exit.
  await provider.shutdown();
  parentPort.postMessage({ type: 'done' });
  // The remote sampler's poll timer cannot be stopped any other way.
  process.exit(0);
}

main().catch((error) => {
  parentPort.postMessage({ type: 'error', message: String(error && error.stack ? error.stack : error) });
  process.exit(1);
});
