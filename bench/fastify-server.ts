/**
 * A diagnostic baseline between the bare server and Samplane: Fastify alone, with its
 * defaults, answering the same fixed bytes on Samplane's poll routes. Samplane minus this is what
 * Nest's adapter and Samplane's own handler cost; this minus bare is Fastify's share.
 *
 * Environment: as bench/bare-server.ts (PORT, BODY_FILE, HEADERS).
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';

const port = Number(process.env.PORT);
// A Buffer, as Samplane keeps its strategies encoded.
const body = readFileSync(process.env.BODY_FILE ?? '');
const headers = JSON.parse(process.env.HEADERS ?? '{}') as Record<string, string>;

const app = Fastify();
for (const url of ['/sampling', '/api/sampling']) {
  app.get(url, (_request, reply) => {
    reply.headers(headers).send(body);
  });
}
app.listen({ port, host: '127.0.0.1' }).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
