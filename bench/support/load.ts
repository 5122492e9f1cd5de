import autocannon from 'autocannon';
import { createHistogram } from 'node:perf_hooks';
import type { ChildServer } from './child-server';

export interface LoadProfile {
  connections: number;
  pipelining: number;
}

export interface RoundResult {
  requestsPerSecond: number;
  /** Microseconds. */
  p99Latency: number;
  /** Server CPU per answered request, in microseconds; undefined without /proc. */
  serverCpuPerRequest: number | undefined;
  /** Share of one core the load generator (this process) used; near 1 means it was the limit. */
  loadGeneratorBusy: number;
}

/** Request headers to send and the one status every answer must have (default: any 2xx). */
export interface Conditional {
  headers: Record<string, string>;
  status: number;
}

/**
 * One timed round of load against one server. Any error, timeout or unexpected status fails
 * the round: a server that sheds load would otherwise look fast.
 */
export async function measureRound(
  server: ChildServer,
  path: string,
  profile: LoadProfile,
  seconds: number,
  conditional?: Conditional,
): Promise<RoundResult> {
  // autocannon's own latency histogram has whole-millisecond resolution, too coarse for
  // loopback answers that take well under a millisecond; this one keeps microseconds.
  const latency = createHistogram();
  let wrongStatus = 0;
  const cpuBefore = server.cpuSeconds();
  const ownCpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();

  const instance = autocannon({
    url: `${server.url}${path}`,
    connections: profile.connections,
    pipelining: profile.pipelining,
    duration: seconds,
    ...(conditional && { headers: conditional.headers }),
  });
  instance.on(
    'response',
    (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
      latency.record(Math.max(1, Math.round(responseTimeMs * 1000)));
      if (conditional && status !== conditional.status) wrongStatus++;
    },
  );
  let firstError: Error | undefined;
  instance.on('reqError', (error: Error) => {
    firstError ??= error;
  });
  const result = await instance;

  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const cpuAfter = server.cpuSeconds();

  const unexpected = conditional ? wrongStatus : result.non2xx;
  const failures = result.errors + result.timeouts + unexpected + result.resets;
  if (failures > 0) {
    throw new Error(
      `${server.name}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${unexpected} unexpected answers, ${result.resets} resets under load` +
        (firstError ? ` (first error: ${firstError.message})` : ''),
    );
  }
  const answered = result.requests.total;
  if (answered === 0) throw new Error(`${server.name}: answered no request`);
  return {
    requestsPerSecond: answered / result.duration,
    p99Latency: latency.percentile(99),
    serverCpuPerRequest:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / answered,
    loadGeneratorBusy: (ownCpu.user + ownCpu.system) / 1e6 / wallSeconds,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** POST requests cycling through `bodies` on every connection. */
export interface PostLoad {
  path: string;
  contentType: string;
  bodies: Buffer[];
}

export interface BatchResult {
  /** Requests sent, every one of them answered with a 2xx. */
  requests: number;
  /** From the first request to the last answer. */
  seconds: number;
  /** Server CPU over the batch, in seconds; undefined without /proc. */
  serverCpuSeconds: number | undefined;
  /** Share of one core the load generator (this process) used. */
  loadGeneratorBusy: number;
}

/**
 * POSTs until `limit`: either exactly `amount` requests, or as many as fit in `seconds`. Each
 * connection waits for an answer before sending its next request, so with `amount` every
 * request sent has been answered and a server's counts can be checked against what was sent;
 * with `seconds` a few may still be on their way when the run stops. Any error, timeout or
 * non-2xx answer fails the batch, as in `measureRound`.
 */
export async function postBatch(
  server: ChildServer,
  load: PostLoad,
  connections: number,
  limit: { amount: number } | { seconds: number },
): Promise<BatchResult> {
  const cpuBefore = server.cpuSeconds();
  const ownCpuBefore = process.cpuUsage();
  const started = performance.now();
  let lastAnswer = started;

  const instance = autocannon({
    url: server.url,
    connections,
    pipelining: 1,
    ...('amount' in limit ? { amount: limit.amount } : { duration: limit.seconds }),
    requests: load.bodies.map((body) => ({
      method: 'POST',
      path: load.path,
      headers: { 'content-type': load.contentType },
      body,
    })),
  });
  let answered = 0;
  instance.on('response', () => {
    answered++;
    lastAnswer = performance.now();
  });
  let firstError: Error | undefined;
  instance.on('reqError', (error: Error) => {
    firstError ??= error;
  });
  const result = await instance;
  // With `amount`, autocannon resolves only at its next once-a-second sample, up to a second
  // after the last answer; the batch ends at that answer.
  const seconds = (lastAnswer - started) / 1000;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const cpuAfter = server.cpuSeconds();

  const failures = result.errors + result.timeouts + result.non2xx + result.resets;
  if (failures > 0) {
    throw new Error(
      `${server.name}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
        `${result.non2xx} non-2xx answers, ${result.resets} resets under load` +
        (firstError ? ` (first error: ${firstError.message})` : ''),
    );
  }
  if ('amount' in limit && answered !== limit.amount) {
    throw new Error(`${server.name}: answered ${answered} of ${limit.amount} requests`);
  }
  if (answered === 0) throw new Error(`${server.name}: answered no request`);
  return {
    requests: answered,
    seconds,
    serverCpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    loadGeneratorBusy: (ownCpu.user + ownCpu.system) / 1e6 / seconds,
  };
}
