import * as http from 'node:http';
import * as https from 'node:https';
import { context, createContextKey } from '@opentelemetry/api';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpCall {
  method: 'GET' | 'POST';
  url: URL;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  /**
   * Whether an unfinished call may keep the process alive. A poll must not; a report sent on
   * shutdown must, or the application's last window would be lost on exit.
   */
  holdsProcess: boolean;
  /** Sent as `Authorization` (reports, when Samplane requires an ingest token). */
  authorization?: string;
}

// The key @opentelemetry/core's suppressTracing() sets (context keys are Symbol.for, so this
// is the same key): HTTP instrumentation then makes no span for Samplane's own calls, which
// would otherwise be sampled, counted and reported as the application's traffic.
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 2 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 2 }),
};

/** One request; rejects on network errors, timeouts and oversized answers, never on a status. */
export function httpCall(call: HttpCall): Promise<HttpAnswer> {
  return context.with(context.active().setValue(SUPPRESS_TRACING, true), () => send(call));
}

function send(call: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const protocol = call.url.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      reject(new Error(`unsupported protocol ${protocol}`));
      return;
    }
    const transport = protocol === 'https:' ? https : http;
    const body = call.body === undefined ? undefined : Buffer.from(call.body);
    const request = transport.request(call.url, {
      method: call.method,
      agent: agents[protocol],
      headers: {
        accept: 'application/json',
        ...(call.authorization !== undefined && { authorization: call.authorization }),
        ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
      },
    });
    // Whole-call deadline: a socket timeout alone lets a server that trickles bytes hold us.
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${call.timeoutMs} ms`)),
      call.timeoutMs,
    );
    if (!call.holdsProcess) {
      deadline.unref();
      request.on('socket', (socket) => socket.unref());
    }
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > call.maxResponseBytes) {
          request.destroy(new Error(`answer larger than ${call.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
    });
    request.end(body);
  });
}
