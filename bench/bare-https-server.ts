/**
 * The baseline for TLS poll benchmarks: plain `node:https` with Samplane's certificate,
 * answering every request with one fixed body and fixed headers.
 *
 * Environment: as bare-server, plus CERT_FILE and KEY_FILE.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const port = Number(process.env.PORT);
const body = readFileSync(process.env.BODY_FILE ?? '');
const headers: Record<string, string> = {
  ...(JSON.parse(process.env.HEADERS ?? '{}') as Record<string, string>),
  'content-length': String(body.length),
};

const server = createServer(
  { cert: readFileSync(process.env.CERT_FILE ?? ''), key: readFileSync(process.env.KEY_FILE ?? '') },
  (_request, response) => {
    response.writeHead(200, headers);
    response.end(body);
  },
);
const keepAliveSeconds = Number(process.env.KEEP_ALIVE_SECONDS);
if (keepAliveSeconds > 0) server.keepAliveTimeout = keepAliveSeconds * 1000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
