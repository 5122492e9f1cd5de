// The OpenTelemetry JS JaegerRemoteSampler, unmodified, in a process of its own: it polls with
// the global fetch, which trusts a private CA only through NODE_EXTRA_CA_CERTS at start-up.
// argv: endpoint service decisions → prints {"sampled": n, "decisions": n} once a strategy applies.
'use strict';
const { ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { JaegerRemoteSampler } = require('@opentelemetry/sampler-jaeger-remote');
const { AlwaysOffSampler, SamplingDecision } = require('@opentelemetry/sdk-trace-base');
const { randomBytes } = require('node:crypto');

const [endpoint, serviceName, count] = process.argv.slice(2);
const decisions = Number(count);
const sampler = new JaegerRemoteSampler({ endpoint, serviceName, poolingInterval: 100, initialSampler: new AlwaysOffSampler() });

const started = Date.now();
const timer = setInterval(() => {
  if (!sampler.toString().includes('sampler=ParentBased')) {
    if (Date.now() - started > 30_000) {
      console.error(`no strategy applied: ${sampler}`);
      process.exit(1);
    }
    return;
  }
  clearInterval(timer);
  let sampled = 0;
  for (let i = 0; i < decisions; i++) {
    const result = sampler.shouldSample(ROOT_CONTEXT, randomBytes(16).toString('hex'), 'GET /', SpanKind.SERVER, {}, []);
    if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  console.log(JSON.stringify({ sampled, decisions }));
  process.exit(0);
}, 50);
