// The pollers of a large-fleet run, in a process of their own: each replica is polled at a
// fixed rate (open loop: a slow answer does not delay the next poll) for the fleet's services
// in turn, as SDKs poll, and every poll's latency is recorded, from the moment the request is
// issued to the last byte of the answer, queueing in the agent included. The process's own
// event-loop delay is recorded too, so a stall of this process is not mistaken for a replica's.
//
// Plain JavaScript so that Node runs it as is. Protocol (IPC): parent sends
// { type: 'start', ... } then 'stop'; it answers 'ready' and finally { type: 'result', ... }.
// { type: 'drop', target } stops polling a target (a replica about to be killed, as a load
// balancer takes it out of rotation); answered { type: 'dropped' } once its polls are all back.
'use strict';
const http = require('node:http');
const { createHistogram, monitorEventLoopDelay } = require('node:perf_hooks');

const TICK_MS = 5;
/** Where a socket keeps when it last answered a poll. */
const LAST_ANSWER = Symbol('last answer');
/** The acceptance's p99 bound: polls at least this slow are counted per second. */
const SLOW_MS = 25;

let config;
let running = false;
let timer;
let issued = 0;
let inFlight = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let perTarget;
let startedAtEpoch;

function start(message) {
  config = message;
  const { targets, services, maxSockets } = config;
  config.paths = services.map((name) => `/sampling?service=${encodeURIComponent(name)}`);
  perTarget = targets.map((url) => {
    const parsed = new URL(url);
    return {
      host: parsed.hostname,
      port: parsed.port,
      agent: new http.Agent({ keepAlive: true, maxSockets }),
      latency: createHistogram(),
      answered: 0,
      inFlight: 0,
      dropped: false,
      failed: 0,
      errors: 0,
      maxMs: 0,
      // The slowest poll issued in each second of the run, for lining stalls up with calculations.
      worstPerSecond: [],
      // How many polls issued in each second took SLOW_MS or more: where a p99 budget goes.
      slowPerSecond: [],
      firstFailure: undefined,
    };
  });
  config.startedAt = performance.now();
  startedAtEpoch = Date.now();
  running = true;
  loopDelay.enable();
  timer = setInterval(tick, TICK_MS);
  process.send({ type: 'ready' });
}

function tick() {
  const { ratePerTarget, services } = config;
  const due = Math.floor(((performance.now() - config.startedAt) / 1000) * ratePerTarget);
  while (running && issued < due) {
    // Each replica is asked for a different service at a time, so both see every service.
    for (let t = 0; t < perTarget.length; t++) {
      if (!perTarget[t].dropped) poll(perTarget[t], (issued * 7919 + t * 104729) % services.length);
    }
    issued++;
  }
}

function poll(target, service) {
  const began = performance.now();
  inFlight++;
  target.inFlight++;
  const done = (failure) => {
    inFlight--;
    target.inFlight--;
    const ms = performance.now() - began;
    target.latency.record(Math.max(1, Math.round(ms * 1000)));
    if (ms > target.maxMs) target.maxMs = ms;
    const second = Math.floor((began - config.startedAt) / 1000);
    if (!(target.worstPerSecond[second] >= ms)) target.worstPerSecond[second] = ms;
    if (ms >= SLOW_MS) target.slowPerSecond[second] = (target.slowPerSecond[second] ?? 0) + 1;
    if (failure === undefined) target.answered++;
    else target.firstFailure ??= failure;
  };
  let idleMs;
  const request = http.get({ host: target.host, port: target.port, path: config.paths[service], agent: target.agent }, (response) => {
    response.on('data', () => undefined);
    response.on('end', () => {
      // When the connection last answered: a failure on it later says how long it sat idle.
      if (request.socket) request.socket[LAST_ANSWER] = performance.now();
      if (response.statusCode === 200) done(undefined);
      else {
        target.failed++;
        done(`status ${response.statusCode} for ${config.paths[service]}`);
      }
    });
  });
  request.on('socket', (socket) => {
    if (socket[LAST_ANSWER] !== undefined) idleMs = performance.now() - socket[LAST_ANSWER];
  });
  request.on('error', (error) => {
    target.errors++;
    // When, and on a connection idle for how long: a reset on one idle about as long as the
    // server's keep-alive timeout is the server closing it as the poll went out.
    const at = ((began - config.startedAt) / 1000).toFixed(1);
    const reused = request.reusedSocket && idleMs !== undefined ? `, on a connection idle for ${(idleMs / 1000).toFixed(1)} s` : '';
    done(`${error.message} (a poll issued at ${at} s${reused})`);
  });
}

async function stop() {
  running = false;
  clearInterval(timer);
  const deadline = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  loopDelay.disable();
  const targets = (perTarget ?? []).map((target) => {
    const any = target.answered + target.failed + target.errors > 0;
    target.agent.destroy();
    return {
      answered: target.answered,
      failed: target.failed,
      errors: target.errors,
      firstFailure: target.firstFailure ?? null,
      p50Ms: any ? target.latency.percentile(50) / 1000 : 0,
      p99Ms: any ? target.latency.percentile(99) / 1000 : 0,
      maxMs: target.maxMs,
      worstPerSecond: Array.from(target.worstPerSecond, (ms) => ms ?? 0),
      slowPerSecond: Array.from(target.slowPerSecond, (count) => count ?? 0),
    };
  });
  process.send(
    {
      type: 'result',
      targets,
      unanswered: inFlight,
      startedAt: startedAtEpoch,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    },
    () => process.exit(0),
  );
}

async function drop(index) {
  const target = perTarget[index];
  target.dropped = true;
  const deadline = performance.now() + 10_000;
  while (target.inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  process.send({ type: 'dropped' });
}

process.on('message', (message) => {
  if (message && message.type === 'start') start(message);
  else if (message && message.type === 'drop') void drop(message.target);
  else if (message === 'stop') void stop();
});
process.on('disconnect', () => process.exit(0));
