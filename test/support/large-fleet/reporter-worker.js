// The load generator of a large-fleet run, in a process of its own so that its work does not
// stall the harness's measurements. Every service reports all its operations once per period
// through POST /api/v1/throughput, services staggered evenly over the period, each report to
// the next replica in turn. Request bodies are a prebuilt head plus one of a few prebuilt
// operation arrays, so sending costs a Buffer.concat, not JSON work.
//
// Plain JavaScript so that Node runs it as is, from Jest and from the built benchmarks alike.
// Protocol (IPC): parent sends { type: 'start', ... } then 'stop'; it answers 'ready' and
// finally { type: 'result', ... }. { type: 'drop', target } sends the reports to the other
// targets from then on; answered { type: 'dropped' } once the reports sent to it are all back.
'use strict';
const http = require('node:http');
const { createHistogram } = require('node:perf_hooks');

const TICK_MS = 10;

let config;
let running = false;
let timer;
let sent = 0;
let skipped = 0;
let inFlight = 0;
let accepted = 0;
let rejected = 0;
let errors = 0;
let firstFailure;
const latency = createHistogram();
let maxLatencyMs = 0;

function start(message) {
  config = message;
  const { targets, services, fragments, windowSeconds, maxSockets } = config;
  config.agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets }));
  config.urls = targets.map((url) => new URL('/api/v1/throughput', url));
  config.live = targets.map((_, i) => i);
  config.inFlightTo = targets.map(() => 0);
  config.fragments = fragments.map((text) => Buffer.from(text));
  config.heads = services.map((name) =>
    Buffer.from(`{"service":${JSON.stringify(name)},"instance":"fleet-load","windowSeconds":${windowSeconds},"operations":`),
  );
  config.tail = Buffer.from('}');
  config.startedAt = performance.now();
  running = true;
  timer = setInterval(tick, TICK_MS);
  process.send({ type: 'ready' });
}

function tick() {
  const { services, periodMs, maxInFlight } = config;
  const due = Math.floor(((performance.now() - config.startedAt) / periodMs) * services.length);
  while (running && sent < due) {
    const index = sent % services.length;
    const round = Math.floor(sent / services.length);
    sent++;
    // A stalled replica must not make this process queue reports without bound.
    if (inFlight >= maxInFlight) {
      skipped++;
      continue;
    }
    send(index, config.live[(index + round) % config.live.length]);
  }
}

function send(index, target) {
  const body = Buffer.concat([config.heads[index], config.fragments[index % config.fragments.length], config.tail]);
  const url = config.urls[target];
  const began = performance.now();
  inFlight++;
  config.inFlightTo[target]++;
  const request = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: config.agents[target],
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    },
    (response) => {
      const chunks = [];
      response.on('data', (chunk) => {
        if (response.statusCode !== 202) chunks.push(chunk);
      });
      response.on('end', () => {
        inFlight--;
        config.inFlightTo[target]--;
        const ms = performance.now() - began;
        latency.record(Math.max(1, Math.round(ms * 1000)));
        if (ms > maxLatencyMs) maxLatencyMs = ms;
        if (response.statusCode === 202) accepted++;
        else {
          rejected++;
          firstFailure ??= `${response.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`;
        }
      });
    },
  );
  request.on('error', (error) => {
    inFlight--;
    config.inFlightTo[target]--;
    errors++;
    firstFailure ??= error.message;
  });
  request.end(body);
}

async function stop() {
  running = false;
  clearInterval(timer);
  const deadline = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const agent of config?.agents ?? []) agent.destroy();
  process.send(
    {
      type: 'result',
      sent,
      skipped,
      unanswered: inFlight,
      accepted,
      rejected,
      errors,
      firstFailure: firstFailure ?? null,
      p50Ms: accepted + rejected > 0 ? latency.percentile(50) / 1000 : 0,
      p99Ms: accepted + rejected > 0 ? latency.percentile(99) / 1000 : 0,
      maxMs: maxLatencyMs,
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    },
    () => process.exit(0),
  );
}

async function drop(index) {
  config.live = config.live.filter((target) => target !== index);
  const deadline = performance.now() + 10_000;
  while (config.inFlightTo[index] > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  process.send({ type: 'dropped' });
}

process.on('message', (message) => {
  if (message && message.type === 'start') start(message);
  else if (message && message.type === 'drop') void drop(message.target);
  else if (message === 'stop') void stop();
});
// The harness went away: nothing will ever ask for the result.
process.on('disconnect', () => process.exit(0));
