import { request } from 'node:http';
import { SamplaneProcess } from '../support/samplane-process';

const TOKEN = 'lanes-token-0123456789abcdef';
const INGEST_TOKENS = `shop:${TOKEN}:shop*`;
const AUTH = `Bearer ${TOKEN}`;

interface Answer {
  status: number;
  contentType: string | undefined;
  wwwAuthenticate: string | undefined;
  body: unknown;
}

/**
 * Reports with a stated length are answered ahead of Fastify (the fast lane); the same
 * document sent chunked, without a length, takes Fastify's route. Both must answer alike —
 * status, content type, body, challenge — and count alike, for every kind of document.
 */
describe('report lanes: the fast lane answers as the Fastify route does', () => {
  let samplane: SamplaneProcess;
  let port: number;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ INGEST_TOKENS });
    port = Number(new URL(samplane.url).port);
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  function post(body: string, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/throughput', headers: chunked ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: response.statusCode ?? 0,
              contentType: response.headers['content-type'],
              wwwAuthenticate: response.headers['www-authenticate'],
              body: text === '' ? '' : (JSON.parse(text) as unknown),
            });
          });
        },
      );
      outgoing.on('error', reject);
      // Without content-length Node sends the body chunked, which the fast lane leaves to Fastify.
      if (chunked) outgoing.setHeader('transfer-encoding', 'chunked');
      outgoing.end(body);
    });
  }

  const json = { 'content-type': 'application/json', authorization: AUTH };
  const valid = (service: string) =>
    JSON.stringify({ service, windowSeconds: 5, operations: [{ operation: 'GET /a', count: 10, sampled: 1 }, { operation: 'GET /b', count: 0, sampled: 0 }] });
  const CASES: Array<[string, string, Record<string, string>, number]> = [
    ['a valid report', valid('shop-a'), json, 202],
    ['a valid report, charset stated', valid('shop-b'), { ...json, 'content-type': 'application/json; charset=utf-8' }, 202],
    ['a field out of range', JSON.stringify({ service: 'shop-a', operations: [{ operation: 'x', count: 1, sampled: 2 }] }), json, 400],
    ['not JSON', '{"service":"shop-a",', json, 400],
    ['a prototype key', '{"service":"shop-a","operations":[],"__proto__":{"x":1}}', json, 400],
    ['a constructor prototype key', '{"service":"shop-a","operations":[],"constructor":{"prototype":{"x":1}}}', json, 400],
    ['no token', valid('shop-a'), { 'content-type': 'application/json' }, 401],
    ['a wrong token', valid('shop-a'), { ...json, authorization: 'Bearer nope' }, 401],
    ['a service outside the token\'s scope', valid('payments'), json, 403],
  ];

  it.each(CASES)('%s: the same answer on both lanes', async (_case, body, headers, expected) => {
    const fast = await post(body, headers, false);
    const fastify = await post(body, headers, true);
    expect(fast.status).toBe(expected);
    expect(fast).toEqual(fastify);
    if (expected !== 202) expect(fast.body).toMatchObject({ statusCode: expected, message: expect.any(String) });
  });

  it('counted the valid reports of both lanes, and nothing of the refused ones', async () => {
    // Two valid cases of two entries each, each sent on both lanes.
    expect(await samplane.metric('samplane_ingest_documents_total', { source: 'report', transport: 'http' })).toBe(4);
    expect(await samplane.metric('samplane_ingest_operations_total', { source: 'report' })).toBe(8);
    // The field out of range, once per lane; bodies that are not JSON never reach validation.
    expect(await samplane.metric('samplane_ingest_rejected_total', { source: 'report', reason: 'invalid' })).toBe(2);
  });
});
