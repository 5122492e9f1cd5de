import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { freePort } from '../support/ports';
import { SamplaneProcess } from '../support/samplane-process';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Whether the request went out on a connection kept alive from an earlier one. */
  reused: boolean;
  /** Settles when the connection the request went out on closes. */
  closed: Promise<void>;
}

/** One request on `agent`, which keeps a single connection per server alive between requests. */
function send(agent: Agent, port: number, method: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, reused: req.reusedSocket, closed }));
    });
    let closed: Promise<void> = Promise.resolve();
    req.once('socket', (socket) => {
      closed = new Promise((settle) => (socket.destroyed ? settle() : socket.once('close', () => settle())));
    });
    req.on('error', reject);
    req.end();
  });
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

  it('tells clients the timeout set, on the X-Ray port too, and closes an idle connection after it', async () => {
    const poll = await send(agent, short.httpPort, 'GET', '/sampling?service=checkout');
    expect(poll.headers['keep-alive']).toBe('timeout=2');
    const rules = await send(agent, xrayPort, 'POST', '/GetSamplingRules');
    expect(rules.status).toBe(200);
    expect(rules.headers['keep-alive']).toBe('timeout=2');
    // Kept by the client (Node's agent keeps a connection whose hint is over a second, and sets
    // no timeout of its own), then closed by the server.
    expect((await send(agent, short.httpPort, 'GET', '/sampling?service=checkout')).reused).toBe(true);
    await Promise.all([poll.closed, rules.closed]);
  });

  it('with 0s, never closes an idle connection and advertises no timeout', async () => {
    const first = await send(agent, never.httpPort, 'GET', '/sampling?service=checkout');
    expect(first.headers['keep-alive']).toBeUndefined();
    expect(first.reused).toBe(false);
    // Idle for as long as the 2 s server takes to close one (its timeout and Node's second of grace).
    const other = await send(agent, short.httpPort, 'GET', '/sampling?service=checkout');
    await other.closed;
    const second = await send(agent, never.httpPort, 'GET', '/sampling?service=checkout');
    expect(second.status).toBe(200);
    expect(second.reused).toBe(true);
  });
});
