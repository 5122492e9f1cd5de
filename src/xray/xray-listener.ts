import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XRAY_PATHS } from './xray-http.routes';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * `XRAY_PORT`: a listener for SDKs that assume the X-Ray daemon's address. It takes the two
 * sampling paths only, handing them to the same Fastify handler as `HTTP_PORT`, so nothing
 * else (admin API, ingest) is reachable through it.
 */
export async function startXRayListener(
  handler: Handler,
  port: number,
  host: string,
  /** `HTTP_KEEPALIVE_TIMEOUT`, as on `HTTP_PORT`. */
  keepAliveTimeoutMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if ((XRAY_PATHS as readonly string[]).includes(path)) return handler(request, response);
    response.writeHead(404, { 'content-type': 'application/json' });
    const message = `${request.method} ${path} is not served here`;
    response.end(JSON.stringify({ __type: 'UnknownOperationException', Message: message }));
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
