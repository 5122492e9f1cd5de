import { STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { HealthClient } from '../support/grpc-clients';
import { LatencyProxy } from '../support/latency-proxy';
import { RawGrpcCall } from '../support/raw-grpc-call';
import { RawHttpConnection, acceptsConnections } from '../support/raw-http';
import { RedisServer } from '../support/redis-server';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

const CHECKOUT_PREFIX = '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.2}';

/**
 * Stopping a replica (a rolling deploy, a scale-down) must not turn into failed polls: a poll
 * that has reached the replica is answered before it exits, and the exit is clean.
 */
describe('shutdown on a signal', () => {
  const started: SamplaneProcess[] = [];

  async function start(): Promise<SamplaneProcess> {
    const samplane = await SamplaneProcess.start({ STRATEGIES_FILE });
    started.push(samplane);
    return samplane;
  }

  /** Shutdown is under way once the port stops accepting connections. */
  function portClosed(port: number, what: string): Promise<true> {
    return waitFor(async () => !(await acceptsConnections(port)), `${what} to stop accepting connections`);
  }

  afterAll(async () => {
    await Promise.all(started.map((samplane) => samplane.stop('SIGKILL')));
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s: exits 0 after saying it stopped', async (signal) => {
    const samplane = await start();
    expect(await samplane.stop(signal)).toBe(0);
    expect(samplane.output).toContain('"stopped"');
  });

  it('answers a poll sent just before SIGTERM with a complete HTTP response', async () => {
    const samplane = await start();
    const connection = new RawHttpConnection(samplane.httpPort);
    await connection.write('GET /sampling?service=checkout HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const exit = samplane.stop('SIGTERM');
    const answer = await connection.response();
    expect(await exit).toBe(0);
    // An answer, never a reset or an empty close, which clients log as errors. Whether it is
    // the strategy or a 503 depends on which the server reads first, the request or the signal.
    expect([200, 503]).toContain(answer.status);
  });

  // Fastify runs with `return503OnClosing: false`, so such a request is served (with
  // `Connection: close`) rather than refused with a 503.
  it('answers a poll that was mid-request at SIGTERM with its strategy', async () => {
    const samplane = await start();
    const connection = new RawHttpConnection(samplane.httpPort);
    await connection.write('GET /sampling?service=checkout HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const exit = samplane.stop('SIGTERM');
    await portClosed(samplane.httpPort, 'the HTTP port');
    await connection.write('Connection: close\r\n\r\n');
    const answer = await connection.response();
    expect(await exit).toBe(0);
    expect(answer.status).toBe(200);
    expect(answer.body.startsWith(CHECKOUT_PREFIX)).toBe(true);
  });

  it('answers a gRPC poll that was mid-request at SIGTERM with its strategy', async () => {
    const samplane = await start();
    const call = new RawGrpcCall(samplane.grpcAddress, 'checkout');
    await call.sendAllButLastByte();
    const exit = samplane.stop('SIGTERM');
    await portClosed(samplane.grpcPort, 'the gRPC port');
    const answer = await call.finish();
    expect(answer.grpcStatus).toBe(0);
    expect(answer.strategy).toMatchObject({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0.2 } });
    expect(await exit).toBe(0);
  });

  // Between the signal and the port closing, the last flush waits on Redis (slowed here to
  // make that window wide). A report then is refused, and its keep-alive connection closed, so
  // the reporter's retry reconnects, through a load balancer to a replica that stays.
  const REPORT = '{"service":"checkout","operations":[{"operation":"GET /cart","count":10}]}';
  const LANES = {
    // A plain report of a stated length takes the lane ahead of Fastify; a chunked one, Fastify's.
    'the fast lane': `Content-Length: ${REPORT.length}\r\n\r\n${REPORT}`,
    'Fastify': `Transfer-Encoding: chunked\r\n\r\n${REPORT.length.toString(16)}\r\n${REPORT}\r\n0\r\n\r\n`,
  };
  it.each(Object.keys(LANES) as (keyof typeof LANES)[])('refuses a report (%s) on a kept-alive connection while the last flush runs, and closes that connection', async (lane) => {
    const redis = await RedisServer.start();
    const proxy = await LatencyProxy.start(redis.port, 1_000);
    try {
      const samplane = await SamplaneProcess.start({ STRATEGIES_FILE, REDIS_URL: proxy.url, REDIS_COMMAND_TIMEOUT: '10s' });
      started.push(samplane);
      const connection = new RawHttpConnection(samplane.httpPort);
      let exited = false;
      const exit = samplane.stop('SIGTERM').then((code) => {
        exited = true;
        return code;
      });
      await waitFor(() => samplane.output.includes('shutting down'), 'the replica to start shutting down');
      await connection.write(`POST /api/v1/throughput HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${LANES[lane]}`);
      const answer = await connection.response();
      const closedBeforeExit = !exited;
      expect(answer.status).toBe(503);
      expect(answer.head.toLowerCase()).toContain('connection: close');
      expect(answer.head.toLowerCase()).toContain('retry-after:');
      // Closed by the server after its answer, not by the process going away.
      expect(closedBeforeExit).toBe(true);
      expect(await exit).toBe(0);
    } finally {
      await proxy.close();
      await redis.destroy();
    }
  });

  it('tells an open health Watch NOT_SERVING and ends it, rather than cancelling it', async () => {
    const samplane = await start();
    const health = new HealthClient(samplane.grpcAddress);
    try {
      const watch = health.watch('jaeger.api_v2.SamplingManager');
      expect(await watch.first).toBe('SERVING');
      const exit = samplane.stop('SIGTERM');
      const ended = await watch.ended;
      expect(ended).toEqual({ code: 0, statuses: ['SERVING', 'NOT_SERVING'] });
      expect(await exit).toBe(0);
    } finally {
      health.close();
    }
  });
});
