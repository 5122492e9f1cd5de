import { STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { HealthClient } from '../support/grpc-clients';
import { RawGrpcCall } from '../support/raw-grpc-call';
import { RawHttpConnection, acceptsConnections } from '../support/raw-http';
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
