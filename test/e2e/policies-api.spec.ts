import { SamplaneProcess } from '../support/samplane-process';
import {
  ADMIN_TOKENS,
  AdminClient,
  OPERATOR_TOKEN,
  VIEWER_TOKEN,
  policyPath,
  sqliteDir,
} from './policies-http';

const HALF = { mode: 'probabilistic', samplingRate: 0.5 };
const ADAPTIVE = {
  mode: 'adaptive',
  targetSamplesPerSecond: 5,
  operations: [
    { operation: 'GET /health', samplingRate: 0 },
    { operation: 'POST /pay', targetSamplesPerSecond: 20 },
  ],
  description: 'why this policy exists',
};

/** The admin API of the built service on its default database, SQLite. */
describe('operator policies admin API (SQLite)', () => {
  const started: SamplaneProcess[] = [];
  const dirs: { remove(): void }[] = [];

  async function start(env: Record<string, string> = {}, sqlitePath?: string): Promise<SamplaneProcess> {
    let path = sqlitePath;
    if (!path) {
      const dir = sqliteDir();
      dirs.push(dir);
      path = dir.path;
    }
    const samplane = await SamplaneProcess.start({ ADMIN_TOKENS, SQLITE_PATH: path, ...env });
    started.push(samplane);
    return samplane;
  }

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop('SIGKILL')));
    for (const dir of dirs) dir.remove();
  });

  it('lets viewers read and operators write, and nobody else', async () => {
    const samplane = await start();
    const anonymous = new AdminClient(samplane.url);
    const operator = anonymous.as(OPERATOR_TOKEN);
    const viewer = anonymous.as(VIEWER_TOKEN);

    const missing = await anonymous.get('/api/v1/policies');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="samplane"');
    expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    const wrong = await anonymous.as('not-a-token-at-all').get('/api/v1/policies');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="samplane", error="invalid_token"');
    expect((await anonymous.get('/api/v1/audit', { authorization: `Basic ${OPERATOR_TOKEN}` })).status).toBe(401);
    expect((await anonymous.put(policyPath('checkout'), HALF)).status).toBe(401);

    expect((await viewer.get('/api/v1/policies')).status).toBe(200);
    expect((await viewer.get('/api/v1/audit')).status).toBe(200);
    const forbidden = await viewer.put(policyPath('checkout'), HALF);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await viewer.delete(policyPath('checkout'))).status).toBe(403);

    const created = await operator.put(policyPath('checkout'), HALF);
    expect(created.status).toBe(201);
    expect((await viewer.get(policyPath('checkout'))).body).toEqual(HALF);

    // SDK-facing and operational endpoints stay open.
    for (const path of ['/sampling?service=checkout', '/api/sampling?service=checkout', '/healthz', '/metrics', '/docs-json']) {
      expect([path, (await fetch(samplane.url + path)).status]).toEqual([path, 200]);
    }
    expect(samplane.output).not.toContain(OPERATOR_TOKEN);
    expect(samplane.output).not.toContain(VIEWER_TOKEN);
  });

  it('refuses invalid policies with 400 naming the field, and stores nothing', async () => {
    const samplane = await start();
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    const cases: [unknown, string][] = [
      [{ mode: 'adaptive', operations: [{ operation: 'a', samplingRate: 0.1 }, { operation: 'b', samplingRate: 1.5 }] }, 'operations[1].samplingRate'],
      [{ mode: 'probabilistic' }, 'samplingRate'],
      [{ mode: 'ratelimiting', maxTracesPerSecond: 2147483648 }, 'maxTracesPerSecond'],
      [{ mode: 'adaptive', minSamplingProbability: 0.9, maxSamplingProbability: 0.1 }, 'minSamplingProbability'],
      [{ mode: 'adaptive', unknown: true }, 'unknown'],
      [{ mode: 'probabilistic', samplingRate: 0.5, targetSamplesPerSecond: 3 }, 'targetSamplesPerSecond'],
      [{ mode: 'adaptive', operations: [{ operation: 'a', samplingRate: 0 }, { operation: 'a', samplingRate: 1 }] }, 'operations[1].operation'],
      [[HALF], 'body'],
    ];
    for (const [document, field] of cases) {
      const answer = await operator.put(policyPath('checkout'), document);
      expect([field, answer.status]).toEqual([field, 400]);
      expect(answer.body).toEqual({ statusCode: 400, error: 'Bad Request', field, message: expect.stringContaining(field) });
    }
    const tooLong = await operator.put(policyPath('x'.repeat(10 * 1024)), HALF);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ field: 'service' });
    expect((await operator.put(policyPath('x'.repeat(257)), HALF)).body).toMatchObject({ field: 'service' });
    expect((await operator.put('/api/v1/policies/', HALF)).body).toMatchObject({ field: 'service' });
    expect((await operator.put(policyPath('checkout'), '{"mode":')).status).toBe(400);
    expect((await operator.get('/api/v1/policies?limit=0')).body).toMatchObject({ statusCode: 400, field: 'limit' });
    expect((await operator.get('/api/v1/policies?page=2')).body).toMatchObject({ statusCode: 400, field: 'page' });

    expect((await operator.get(policyPath('checkout'))).status).toBe(404);
    expect((await operator.get('/api/v1/policies')).body).toMatchObject({ items: [], total: 0 });
    expect((await operator.get('/api/v1/audit')).body).toEqual({ items: [], next: null });
  });

  it('versions policies with ETags: stale If-Match gets 412, and one of racing writers wins', async () => {
    const samplane = await start();
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    const path = policyPath('cart');

    const created = await operator.put(path, ADAPTIVE, { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe('/api/v1/policies/cart');
    expect(created.body).toEqual(ADAPTIVE);
    expect((await operator.put(path, HALF, { 'if-none-match': '*' })).status).toBe(412);

    const read = await operator.get(path);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body).toEqual(ADAPTIVE);

    const replaced = await operator.put(path, HALF, { 'if-match': '"1"' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    const stale = await operator.put(path, ADAPTIVE, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ statusCode: 412, error: 'Precondition Failed' });

    const racers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        operator.put(path, { mode: 'probabilistic', samplingRate: i / 10 }, { 'if-match': '"2"' }),
      ),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(412)]);
    const winner = racers.find((r) => r.status === 200);
    expect((await operator.get(path)).body).toEqual(winner?.body);
    expect(winner?.headers.get('etag')).toBe('"3"');

    expect((await operator.delete(path, { 'if-match': '"2"' })).status).toBe(412);
    const deleted = await operator.delete(path, { 'if-match': '"3"' });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await operator.get(path)).status).toBe(404);
    expect((await operator.delete(path)).body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    // A re-created policy continues the versions: an ETag from before the delete never matches.
    expect((await operator.put(path, HALF)).headers.get('etag')).toBe('"4"');
  });

  it('keeps an audit trail and pages lists, with any service name', async () => {
    const samplane = await start();
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    const viewer = operator.as(VIEWER_TOKEN);
    const names = ['*', "'; DROP TABLE policies; --", 'team/checkout', '日本語', 'emoji 🚀', '"quoted"', 'x'.repeat(256)];
    for (const name of names) expect([name, (await operator.put(policyPath(name), HALF)).status]).toEqual([name, 201]);
    for (const name of names) {
      const read = await viewer.get(policyPath(name));
      expect([name, read.status, read.body]).toEqual([name, 200, HALF]);
    }
    await operator.put(policyPath('*'), ADAPTIVE);
    await operator.delete(policyPath('emoji 🚀'));

    const services: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = (await viewer.get(`/api/v1/policies?limit=2&offset=${offset}`)).body as {
        items: { service: string; version: number; etag: string; updatedBy: string }[];
        total: number;
      };
      expect(page.total).toBe(names.length - 1);
      if (page.items.length === 0) break;
      services.push(...page.items.map((p) => p.service));
    }
    const expected = names.filter((n) => n !== 'emoji 🚀').sort((a, b) => (a < b ? -1 : 1));
    expect(services).toEqual(expected);
    const first = (await viewer.get(`/api/v1/policies?limit=1&offset=${expected.indexOf('*')}`)).body as { items: object[] };
    expect(first.items[0]).toEqual({
      service: '*',
      version: 2,
      etag: '"2"',
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedBy: 'alice',
      policy: ADAPTIVE,
    });

    type Entry = { id: number; action: string; service: string; actor: string; before: unknown; after: unknown };
    const audit = (await viewer.get('/api/v1/audit?limit=2')).body as { items: Entry[]; next: number };
    expect(audit.items.map((e) => [e.action, e.service, e.actor])).toEqual([
      ['delete', 'emoji 🚀', 'alice'],
      ['replace', '*', 'alice'],
    ]);
    expect(audit.items[0]).toMatchObject({ before: HALF, after: null });
    expect(audit.items[1]).toMatchObject({ before: HALF, after: ADAPTIVE });
    const older = (await viewer.get(`/api/v1/audit?limit=100&before=${audit.next}`)).body as { items: Entry[]; next: null };
    expect(older.items).toHaveLength(names.length);
    expect(older.items.every((e) => e.action === 'create' && e.before === null)).toBe(true);
    expect(older.next).toBeNull();
    const forOne = (await viewer.get(`/api/v1/audit?service=${encodeURIComponent('*')}`)).body as { items: Entry[] };
    expect(forOne.items.map((e) => e.action)).toEqual(['replace', 'create']);
  });

  it('serves its OpenAPI document at /docs, with the endpoints and bearer auth', async () => {
    const samplane = await start();
    const ui = await fetch(`${samplane.url}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const document = (await (await fetch(`${samplane.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { security?: object[]; parameters?: { name: string }[] }>>;
      components: { securitySchemes: Record<string, { scheme: string }>; schemas: Record<string, unknown> };
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/policies', '/api/v1/policies/{service}', '/api/v1/audit']),
    );
    expect(Object.keys(document.paths['/api/v1/policies/{service}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(document.paths['/api/v1/policies/{service}'].put.parameters?.map((p) => p.name)).toContain('service');
    expect(document.paths['/api/v1/audit'].get.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer.scheme).toBe('bearer');
    expect(document.components.schemas).toHaveProperty('PolicyDto');
  });

  it('keeps policies and audit across a restart, and exits 0 on SIGTERM', async () => {
    const dir = sqliteDir();
    dirs.push(dir);
    const first = await start({}, dir.path);
    const operator = new AdminClient(first.url, OPERATOR_TOKEN);
    await operator.put(policyPath('checkout'), ADAPTIVE);
    await operator.put(policyPath('checkout'), HALF);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start({}, dir.path);
    const again = new AdminClient(second.url, OPERATOR_TOKEN);
    const read = await again.get(policyPath('checkout'));
    expect([read.status, read.headers.get('etag'), read.body]).toEqual([200, '"2"', HALF]);
    expect(((await again.get('/api/v1/audit')).body as { items: unknown[] }).items).toHaveLength(2);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('refuses every admin request without ADMIN_TOKENS, and rate-limits admin requests', async () => {
    const samplane = await start({ ADMIN_TOKENS: '' });
    const client = new AdminClient(samplane.url, 'whatever-token');
    const refused = await client.get('/api/v1/policies');
    expect(refused.status).toBe(401);
    expect((refused.body as { message: string }).message).toMatch(/admin tokens are not configured/);
    expect((await client.put(policyPath('checkout'), HALF)).status).toBe(401);

    const statuses = await Promise.all(Array.from({ length: 110 }, () => client.get('/api/v1/audit')));
    const limited = statuses.filter((s) => s.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0].headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0].body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // Polls are not admin requests: never limited.
    for (let i = 0; i < 5; i++) expect((await fetch(`${samplane.url}/sampling?service=x`)).status).toBe(200);
  });
});
