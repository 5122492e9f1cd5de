import { PostgresServer } from '../support/postgres-server';
import { RedisServer } from '../support/redis-server';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath } from './policies-http';

const HALF = { mode: 'probabilistic', samplingRate: 0.5 };
const LIMITED = { mode: 'ratelimiting', maxTracesPerSecond: 10 };

/** The admin API of the built service on PostgreSQL, including PostgreSQL going away. */
describe('operator policies admin API (PostgreSQL)', () => {
  let postgres: PostgresServer;
  const started: SamplaneProcess[] = [];
  let databases = 0;

  /**
   * A process on `databaseUrl`, by default once it is ready: start-up waits for the database
   * a few seconds only, then goes on connecting while it answers.
   */
  async function start(databaseUrl: string, { ready = true } = {}): Promise<SamplaneProcess> {
    const samplane = await SamplaneProcess.start({ ADMIN_TOKENS, DATABASE_URL: databaseUrl });
    started.push(samplane);
    if (ready) await samplane.readyz();
    return samplane;
  }

  const freshDatabase = (): Promise<string> => postgres.createDatabase(`e2e_${process.pid}_${++databases}`);

  beforeAll(async () => {
    postgres = await PostgresServer.start();
  });

  afterEach(async () => {
    await postgres.startAgain();
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop('SIGKILL')));
    await postgres.destroy();
  });

  it('creates, versions, races, audits and keeps policies across a restart', async () => {
    const url = await freshDatabase();
    const first = await start(url);
    const operator = new AdminClient(first.url, OPERATOR_TOKEN);
    const name = "'; DROP TABLE policies; --";

    expect((await operator.put(policyPath(name), HALF)).status).toBe(201);
    expect((await operator.put(policyPath('*'), LIMITED)).status).toBe(201);
    const racers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        operator.put(policyPath(name), { mode: 'probabilistic', samplingRate: i / 8 }, { 'if-match': '"1"' }),
      ),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([200, ...Array(7).fill(412)]);
    expect((await operator.put(policyPath('nope'), HALF, { 'if-match': '"1"' })).status).toBe(412);
    expect((await operator.delete(policyPath('nope'))).status).toBe(404);
    const invalid = await operator.put(policyPath('bad'), { mode: 'ratelimiting', maxTracesPerSecond: -1 });
    expect(invalid.body).toMatchObject({ statusCode: 400, field: 'maxTracesPerSecond' });

    const audit = (await operator.get('/api/v1/audit')).body as { items: { action: string; service: string }[] };
    expect(audit.items.map((e) => [e.action, e.service])).toEqual([
      ['replace', name],
      ['create', '*'],
      ['create', name],
    ]);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await start(url);
    const again = new AdminClient(second.url, OPERATOR_TOKEN);
    const read = await again.get(policyPath(name));
    expect([read.status, read.headers.get('etag')]).toEqual([200, '"2"']);
    const list = (await again.get('/api/v1/policies')).body as { total: number; items: { service: string }[] };
    expect(list.items.map((p) => p.service)).toEqual(["'; DROP TABLE policies; --", '*']);
    const migrations = await postgres.query('SELECT name FROM samplane_migrations', url.split('/').pop());
    expect(migrations).toHaveLength(1);
  });

  it('answers 503 while the database is away, keeps serving polls, and recovers', async () => {
    const samplane = await start(await freshDatabase());
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    expect((await operator.put(policyPath('checkout'), HALF)).status).toBe(201);

    await postgres.stop();
    const refused = await operator.put(policyPath('checkout'), LIMITED);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/^policy database unavailable: \S/),
    });
    expect((await operator.get(policyPath('checkout'))).status).toBe(503);
    expect((await operator.get('/api/v1/audit')).status).toBe(503);
    for (let i = 0; i < 3; i++) expect((await fetch(`${samplane.url}/sampling?service=checkout`)).status).toBe(200);

    await postgres.startAgain();
    const back = await waitFor(async () => {
      const answer = await operator.put(policyPath('checkout'), LIMITED);
      return answer.status === 200 ? answer : undefined;
    }, 'writes to work again');
    expect(back.headers.get('etag')).toBe('"2"');
    expect(await samplane.stop('SIGTERM')).toBe(0);
  });

  it('starts without its database, serves polls, refuses writes, and catches up when it appears', async () => {
    const url = await freshDatabase();
    await postgres.stop();
    const began = Date.now();
    const samplane = await start(url, { ready: false });
    // Start-up waits at most 3 s for the database; the rest is slack for a loaded machine.
    expect(Date.now() - began).toBeLessThan(25_000);
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    expect((await fetch(`${samplane.url}/sampling?service=checkout`)).status).toBe(200);
    const refused = await operator.put(policyPath('checkout'), HALF);
    expect(refused.status).toBe(503);

    await postgres.startAgain();
    await waitFor(async () => (await operator.put(policyPath('checkout'), HALF)).status === 201, 'the first write');
    expect(samplane.output).toContain('policy database connected');
  });

  it('tells the other replicas over Redis, which reload at once', async () => {
    const redis = await RedisServer.start();
    try {
      const url = await freshDatabase();
      // With a reload interval of an hour, only the announcement can make B reload.
      const env = { ADMIN_TOKENS, DATABASE_URL: url, REDIS_URL: redis.url, POLICY_RELOAD_INTERVAL: '1h' };
      const [a, b] = await Promise.all([SamplaneProcess.start(env), SamplaneProcess.start(env)]);
      started.push(a, b);
      await Promise.all([a.readyz(), b.readyz()]);
      await redis.waitForSubscribers('samplane:policies', 2);
      const applied = (s: SamplaneProcess): number => s.output.split('"operator policies applied"').length - 1;
      const before = applied(b);
      const written = Date.now();
      expect((await new AdminClient(a.url, OPERATOR_TOKEN).put(policyPath('checkout'), HALF)).status).toBe(201);
      await waitFor(() => applied(b) > before, 'replica B to apply the policy', 5_000, 20);
      expect(Date.now() - written).toBeLessThan(2_000);
    } finally {
      await redis.destroy();
    }
  });

  it('exits 0 on SIGTERM while its database is away', async () => {
    const samplane = await start(await freshDatabase());
    await postgres.stop();
    expect((await new AdminClient(samplane.url, OPERATOR_TOKEN).put(policyPath('a'), HALF)).status).toBe(503);
    expect(await samplane.stop('SIGTERM')).toBe(0);
  });
});
