/**
 * The baseline for poll benchmarks: plain `node:http` answering every request with one fixed
 * body and fixed headers, so that it costs what serving those bytes costs and nothing more.
 *
 * Environment: PORT, BODY_FILE (the body's bytes), HEADERS (a JSON object of response headers),
 * KEEP_ALIVE_SECONDS (optional; Samplane's, so that even the Keep-Alive header is the same).
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const port = Number(process.env.PORT);
const body = readFileSync(process.env.BODY_FILE ?? '');
const headers: Record<string, string> = {
  ...(JSON.parse(process.env.HEADERS ?? '{}') as Record<string, string>),
  'content-length': String(body.length),
};

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});
const keepAliveSeconds = Number(process.env.KEEP_ALIVE_SECONDS);
if (keepAliveSeconds > 0) server.keepAliveTimeout = keepAliveSeconds * 1000;
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
