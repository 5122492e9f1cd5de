// One export by the OpenTelemetry OTLP/HTTP protobuf exporter, in a worker thread: the exporter
// loads parts of itself with dynamic import(), which Jest's module sandbox does not allow.
// workerData: { url, headers, service, names, ca } → posts { ok, status, message }.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const { url, headers, service, names, ca } = workerData;
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': service }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
for (const name of names) provider.getTracer('otlp-export-worker').startSpan(name).end();

const exporter = new OTLPTraceExporter({ url, headers, ...(ca && { httpAgentOptions: { ca } }) });
exporter.export(memory.getFinishedSpans(), (result) => {
  // ExportResultCode.SUCCESS is 0; a refusal carries the HTTP status as the error's code.
  const error = result.error;
  parentPort.postMessage({ ok: result.code === 0, status: error && error.code, message: error && String(error.message) });
  void exporter.shutdown();
});
