import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { freePort } from '../support/ports';
import { SamplaneProcess } from '../support/samplane-process';
import { settlesWithin } from '../support/settle';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Whether the request went out on a connection kept alive from an earlier one. */
  reused: boolean;
  /** When the answer ended (`performance.now()`). */
  answeredAt: number;
  /** Settles, with the time, when the connection the request went out on closes. */
  closed: Promise<number>;
}

/** One request on `agent`, which keeps a single connection per server alive between requests. */
function send(agent: Agent, port: number, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, reused: req.reusedSocket, answeredAt: performance.now(), closed }),
      );
    });
    const closed = new Promise<number>((settle) =>
      req.once('socket', (socket) => (socket.destroyed ? settle(performance.now()) : socket.once('close', () => settle(performance.now())))),
    );
    req.on('error', reject);
    req.end();
  });
}

/** How long after its last answer the connection was closed; fails naming `what` if not within `boundMs`. */
async function idleUntilClosed(answer: Answer, what: string, boundMs: number): Promise<number> {
  return (await settlesWithin(answer.closed, boundMs, `${what}: closing an idle connection`)) - answer.answeredAt;
}

/**
 * HTTP_KEEPALIVE_TIMEOUT: how long an idle connection stays open. A load balancer in front must
 * close first (its idle timeout shorter), or it may send a request on a connection just closed
 * here; some (Google Cloud's, ~10 minutes) need this longer than the default.
 */
describe('idle HTTP connections (HTTP_KEEPALIVE_TIMEOUT)', () => {
  let byDefault: SamplaneProcess;
  let short: SamplaneProcess;
  let never: SamplaneProcess;
  let xrayPort: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    xrayPort = await freePort();
    [byDefault, short, never] = await Promise.all([
      SamplaneProcess.start(),
      SamplaneProcess.start({ HTTP_KEEPALIVE_TIMEOUT: '2s', XRAY_PORT: String(xrayPort) }),
      SamplaneProcess.start({ HTTP_KEEPALIVE_TIMEOUT: '0s' }),
    ]);
  });

  afterAll(async () => {
    agent.destroy();
    await Promise.all([byDefault?.stop(), short?.stop(), never?.stop()]);
  });

  it('tells clients the default of 72 seconds', async () => {
    const answer = await send(agent, byDefault.httpPort, 'GET', '/sampling?service=checkout');
    expect(answer.status).toBe(200);
    expect(answer.headers['keep-alive']).toBe('timeout=72');
  });

  it('tells clients the timeout set, on the X-Ray port too, and closes an idle connection after it, not before', async () => {
    const poll = await send(agent, short.httpPort, 'GET', '/sampling?service=checkout');
    expect(poll.headers['keep-alive']).toBe('timeout=2');
    // Kept by the client (Node's agent keeps a connection whose hint is over a second, and sets
    // no timeout of its own), so the server is what closes it.
    const again = await send(agent, short.httpPort, 'GET', '/sampling?service=checkout');
    expect(again.reused).toBe(true);
    const rules = await send(agent, xrayPort, 'POST', '/GetSamplingRules');
    expect(rules.status).toBe(200);
    expect(rules.headers['keep-alive']).toBe('timeout=2');
    const [pollIdle, rulesIdle] = await Promise.all([idleUntilClosed(again, 'HTTP_PORT', 15_000), idleUntilClosed(rules, 'XRAY_PORT', 15_000)]);
    // Never before the time told: a client honouring the hint must not find it closed.
    expect(pollIdle).toBeGreaterThanOrEqual(2_000);
    expect(rulesIdle).toBeGreaterThanOrEqual(2_000);
  });

  it('with 0s, never closes an idle connection and advertises no timeout', async () => {
    const first = await send(agent, never.httpPort, 'GET', '/sampling?service=checkout');
    expect(first.headers['keep-alive']).toBeUndefined();
    expect(first.reused).toBe(false);
    // Idle for as long as the 2 s server takes to close one (its timeout and Node's second of grace).
    const other = await send(agent, short.httpPort, 'GET', '/sampling?service=checkout');
    await idleUntilClosed(other, 'HTTP_PORT', 15_000);
    const second = await send(agent, never.httpPort, 'GET', '/sampling?service=checkout');
    expect(second.status).toBe(200);
    expect(second.reused).toBe(true);
  });
});
