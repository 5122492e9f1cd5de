import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A caching HTTP proxy as a CDN or nginx would be in front of Samplane: it keeps the last
 * answer per URL and revalidates it with `If-None-Match` on every request, serving its stored
 * body when the origin answers 304. Counts what the origin answered.
 */
export class RevalidatingProxy {
  readonly originStatuses: number[] = [];
  private readonly cache = new Map<string, { etag: string; body: Buffer; contentType: string }>();
  private server?: Server;

  constructor(private readonly origin: string) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const url = request.url ?? '/';
      const cached = this.cache.get(url);
      fetch(this.origin + url, { headers: cached ? { 'if-none-match': cached.etag } : {} })
        .then(async (answer) => {
          this.originStatuses.push(answer.status);
          if (answer.status === 304 && cached) {
            response.writeHead(200, { 'content-type': cached.contentType, 'x-cache': 'revalidated' });
            response.end(cached.body);
            return;
          }
          const body = Buffer.from(await answer.arrayBuffer());
          const etag = answer.headers.get('etag');
          const contentType = answer.headers.get('content-type') ?? 'application/octet-stream';
          if (answer.status === 200 && etag) this.cache.set(url, { etag, body, contentType });
          response.writeHead(answer.status, { 'content-type': contentType, 'x-cache': 'miss' });
          response.end(body);
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
