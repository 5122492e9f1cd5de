import Database from 'better-sqlite3';
import { SamplingManagerClient } from '../support/grpc-clients';
import { PostgresServer } from '../support/postgres-server';
import { RedisServer } from '../support/redis-server';
import { SamplaneProcess } from '../support/samplane-process';
import { type StrategyJson, pollStrategy, probabilistic, servedRate } from '../support/served-strategy';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, type Answer, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath, sqliteDir } from './policies-http';

const DROP = "'; DROP TABLE policies; --";

/**
 * Names an operator may type, each stored and served as given. `..` alone is left out: URL
 * parsers (fetch's included) resolve it, `%2e%2e` too, before it reaches any server.
 */
const HOSTILE = [
  '"quoted"',
  "it's",
  DROP,
  '"; DROP TABLE policy_audit; --',
  "Robert'); DELETE FROM policies WHERE ('1'='1",
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'x/../../admin',
  'a/b?c#d&service=other',
  'svc%prod',
  'svc%2Fprod',
  'a+b',
  ' padded ',
  '\t\n',
  '日本語',
  'emoji 🚀',
  'café',
  'cafe\u0301',
  '\u202Eevil',
  'zero\u200Bwidth',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(256),
  '🚀'.repeat(256),
];

/** Operation names as hostile as the services', pinned by every policy. */
const PINNED = { constructor: 0, toString: 0.5, [DROP]: 1 };

const rateOf = (index: number): number => (index + 1) / 1000;

const policyFor = (index: number) => ({
  mode: 'probabilistic',
  samplingRate: rateOf(index),
  operations: Object.entries(PINNED).map(([operation, samplingRate]) => ({ operation, samplingRate })),
});

/** Code point order, the order both databases list names in. */
function byCodePoint(a: string, b: string): number {
  const [x, y] = [[...a].map((c) => c.codePointAt(0) ?? 0), [...b].map((c) => c.codePointAt(0) ?? 0)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

interface Backend {
  name: string;
  /** The environment of a Samplane on a fresh, empty policy database. */
  fresh(): Promise<Record<string, string>>;
  /** Row counts of Samplane's tables, read with the database's own client. */
  tables(env: Record<string, string>): Promise<Record<string, number>>;
  destroy(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dirs: { remove(): void }[] = [];
  return {
    name: 'SQLite (the default)',
    fresh: () => {
      const dir = sqliteDir();
      dirs.push(dir);
      return Promise.resolve({ SQLITE_PATH: dir.path });
    },
    tables: (env) => {
      const db = new Database(env.SQLITE_PATH, { readonly: true, fileMustExist: true });
      try {
        const tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        const names = db.prepare(tables).all() as { name: string }[];
        const counts = names.map(({ name }) => {
          const row = db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number };
          return [name, row.n] as const;
        });
        return Promise.resolve(Object.fromEntries(counts));
      } finally {
        db.close();
      }
    },
    destroy: () => {
      for (const dir of dirs) dir.remove();
      return Promise.resolve();
    },
  };
}

/** PostgreSQL, with Redis as a deployment of several replicas has it. */
function postgresBackend(): Backend {
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let databases = 0;
  return {
    name: 'PostgreSQL',
    fresh: async () => {
      if (!postgres || !redis) [postgres, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
      return { DATABASE_URL: await postgres.createDatabase(`storage_${++databases}`), REDIS_URL: redis.url };
    },
    tables: async (env) => {
      const database = env.DATABASE_URL.split('/').pop();
      const server = postgres as PostgresServer;
      const tables = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
      const names = await server.query(tables, database);
      const counts = await Promise.all(
        names.map(async ([name]) => {
          const [[count]] = await server.query(`SELECT count(*) FROM "${name}"`, database);
          return [name, Number(count)] as const;
        }),
      );
      return Object.fromEntries(counts);
    },
    destroy: async () => {
      await Promise.all([postgres?.destroy(), redis?.destroy()]);
    },
  };
}

/** Everything a restart must keep, read through the API: policies, audit, and what is served. */
async function capture(samplane: SamplaneProcess, services: string[]) {
  const viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
  const served: Record<string, StrategyJson> = {};
  for (const service of services) served[service] = await pollStrategy(samplane.url, service);
  return {
    served,
    policies: (await viewer.get('/api/v1/policies?limit=100')).body,
    audit: (await viewer.get('/api/v1/audit?limit=100')).body,
  };
}

describe.each([sqliteBackend, postgresBackend])('policy storage', (makeBackend) => {
  const backend = makeBackend();
  const started: SamplaneProcess[] = [];

  /** A process once ready: its policy database reached (start-up waits for it a few seconds only). */
  async function start(env: Record<string, string>): Promise<SamplaneProcess> {
    const samplane = await SamplaneProcess.start(env);
    started.push(samplane);
    await samplane.readyz();
    return samplane;
  }

  afterAll(async () => {
    await Promise.all(started.map((samplane) => samplane.stop('SIGKILL')));
    await backend.destroy();
  });

  describe(backend.name, () => {
    it('keeps policies, their audit and what they serve across SIGTERM and a new start', async () => {
      const env = { ADMIN_TOKENS, ...(await backend.fresh()) };
      const first = await start(env);
      const operator = new AdminClient(first.url, OPERATOR_TOKEN);
      const write = async (request: Promise<Answer>, status: number): Promise<void> => {
        const answer = await request;
        // With the body, a failure says why.
        expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
      };
      const adaptive = { mode: 'adaptive', operations: [{ operation: 'GET /health', samplingRate: 0 }] };
      await write(operator.put(policyPath('checkout'), adaptive), 201);
      await write(operator.put(policyPath('payments'), { mode: 'ratelimiting', maxTracesPerSecond: 9 }), 201);
      await write(operator.put(policyPath('*'), { mode: 'probabilistic', samplingRate: 0.05 }), 201);
      await write(operator.put(policyPath('checkout'), policyFor(0), { 'if-match': '"1"' }), 200);
      await write(operator.delete(policyPath('payments')), 204);
      await write(operator.put(policyPath(DROP), { mode: 'probabilistic', samplingRate: 0.7 }), 201);
      const services = ['checkout', 'payments', DROP, 'never-configured'];
      const before = await capture(first, services);
      expect((before.audit as { items: unknown[] }).items).toHaveLength(6);
      expect(before.served.payments).toEqual(probabilistic(0.05));

      expect(await first.stop('SIGTERM')).toBe(0);
      expect(first.output).toContain('"stopped"');

      const second = await start(env);
      // Served from the first poll once ready: policies are loaded with the database.
      expect(await capture(second, services)).toEqual(before);
      const again = new AdminClient(second.url, OPERATOR_TOKEN);
      // Versions continue, so an ETag from before the restart still means what it meant.
      expect((await again.put(policyPath('checkout'), policyFor(1), { 'if-match': '"1"' })).status).toBe(412);
      expect((await again.put(policyPath('checkout'), policyFor(1), { 'if-match': '"2"' })).headers.get('etag')).toBe('"3"');
      const recreated = await again.put(policyPath('payments'), { mode: 'probabilistic', samplingRate: 0.3 });
      expect(recreated.headers.get('etag')).toBe('"2"');
      expect(await backend.tables(env)).toEqual({ policies: 4, policy_audit: 8, samplane_migrations: 1 });
      expect(await second.stop('SIGTERM')).toBe(0);
    });

    describe('hostile service names', () => {
      let env: Record<string, string>;
      let samplane: SamplaneProcess;
      let operator: AdminClient;
      let reporter: SteadyReporter | undefined;

      beforeAll(async () => {
        env = {
          ADMIN_TOKENS,
          ...(await backend.fresh()),
          ADAPTIVE_CALCULATION_INTERVAL: '2s',
          ADAPTIVE_DELAY: '1s',
          ADAPTIVE_LEADER_LEASE: '3s',
        };
        samplane = await start(env);
        operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
      });

      afterAll(async () => {
        await reporter?.stop();
      });

      it('refuses a name no database can hold faithfully with 400 naming service, storing nothing', async () => {
        const refused = ['x'.repeat(10 * 1024), 'x'.repeat(257), '🚀'.repeat(257), 'nul\u0000byte'];
        for (const name of refused) {
          const answer = await operator.put(policyPath(name), policyFor(0));
          expect([name.slice(0, 12), answer.status, answer.body]).toEqual([
            name.slice(0, 12),
            400,
            expect.objectContaining({ statusCode: 400, error: 'Bad Request', field: 'service' }),
          ]);
          // Polls for it still get the default.
          expect((await pollStrategy(samplane.url, name)).probabilisticSampling?.samplingRate).toBe(0.001);
        }
        // Bytes that are not UTF-8 never make a name.
        const mangled = await operator.send('PUT', '/api/v1/policies/%ED%A0%80', policyFor(0));
        expect(mangled.status).toBe(400);
        expect((await operator.get('/api/v1/policies')).body).toMatchObject({ items: [], total: 0 });
        expect(await backend.tables(env)).toEqual({ policies: 0, policy_audit: 0, samplane_migrations: 1 });
      });

      it('stores every other name as given and serves polls for it, over HTTP and gRPC', async () => {
        for (const [index, name] of HOSTILE.entries()) {
          const answer = await operator.put(policyPath(name), policyFor(index));
          expect([name, answer.status, answer.headers.get('location')]).toEqual([name, 201, policyPath(name)]);
        }
        // Reading back each one by its path costs an admin request apiece, against a limit of
        // 100 per 10 s: the names whose path could be misread are read that way, the list
        // gives back every one.
        for (const [index, name] of HOSTILE.entries()) {
          if (!/[/\\%?#.+]/.test(name)) continue;
          const read = await operator.get(policyPath(name));
          expect([name, read.status, read.body]).toEqual([name, 200, policyFor(index)]);
        }
        type Page = { items: { service: string; policy: unknown }[] };
        const list = (await operator.get('/api/v1/policies?limit=100')).body as Page;
        expect(list.items.map((item) => item.service)).toEqual([...HOSTILE].sort(byCodePoint));
        for (const { service, policy } of list.items) {
          expect([service, policy]).toEqual([service, policyFor(HOSTILE.indexOf(service))]);
        }

        const grpc = new SamplingManagerClient(samplane.grpcAddress);
        try {
          for (const [index, name] of HOSTILE.entries()) {
            const polled = await pollStrategy(samplane.url, name);
            const served = [servedRate(polled, 'GET /'), ...Object.keys(PINNED).map((op) => servedRate(polled, op))];
            expect([name, ...served]).toEqual([name, rateOf(index), ...Object.values(PINNED)]);
            const overGrpc = await grpc.getSamplingStrategy(name);
            expect([name, overGrpc.probabilisticSampling?.samplingRate]).toEqual([name, rateOf(index)]);
            const pinned = overGrpc.operationSampling?.perOperationStrategies ?? [];
            expect(pinned.map((op) => [op.operation, op.probabilisticSampling?.samplingRate])).toEqual(Object.entries(PINNED));
          }
        } finally {
          grpc.close();
        }
        const audit = await operator.get(`/api/v1/audit?service=${encodeURIComponent(DROP)}`);
        expect((audit.body as { items: { service: string }[] }).items.map((entry) => entry.service)).toEqual([DROP]);
        expect(await backend.tables(env)).toEqual({
          policies: HOSTILE.length,
          policy_audit: HOSTILE.length,
          samplane_migrations: 1,
        });
      });

      it('explains hostile services and operations, with and without traffic', async () => {
        // Reports refuse whitespace-only names and count UTF-16 units, so not all of them report.
        const reporting = HOSTILE.filter((name) => name.trim() !== '' && name.length <= 256);
        reporter = new SteadyReporter(
          samplane.url,
          reporting.flatMap((service) => [
            { service, operation: 'GET /', requestsPerSecond: 100 },
            { service, operation: 'hasOwnProperty', requestsPerSecond: 100 },
          ]),
          200,
        );
        reporter.start();
        const viewer = operator.as(VIEWER_TOKEN);
        type Op = { operation: string; probability: number | null; source: string; requestsPerSecond: number | null };
        const explain = async (name: string) => {
          const answer = await viewer.get(`/api/v1/services/${encodeURIComponent(name)}`);
          expect([name, answer.status]).toEqual([name, 200]);
          return answer.body as { service: string; source: string; policy: { service: string }; operations: Op[] };
        };
        type Listed = { items: { service: string; source: string; requestsPerSecond: number }[] };
        const listed = await waitFor(
          async () => {
            const list = (await viewer.get('/api/v1/services?limit=100')).body as Listed;
            const withTraffic = new Set(list.items.filter((item) => item.requestsPerSecond > 0).map((item) => item.service));
            return reporting.every((name) => withTraffic.has(name)) ? list : undefined;
          },
          'a calculation over every reporting service',
          30_000,
          1_000,
        );
        const hostile = listed.items.filter((item) => HOSTILE.includes(item.service));
        expect(hostile.map((item) => item.source)).toEqual(HOSTILE.map(() => 'policy'));
        for (const [index, name] of HOSTILE.entries()) {
          const view = await explain(name);
          expect([name, view.service, view.source, view.policy.service]).toEqual([name, name, 'policy', name]);
          const ops = Object.fromEntries(view.operations.map((op) => [op.operation, op]));
          for (const [operation, rate] of Object.entries(PINNED)) {
            expect([name, ops[operation]]).toEqual([
              name,
              {
                operation,
                probability: rate,
                source: 'policy',
                requestsPerSecond: null,
                sampledPerSecond: null,
                errorsPerSecond: null,
                errorRate: null,
                boosted: false,
                reason: `pinned at ${rate} by the policy for ${JSON.stringify(name)}`,
                inputs: null,
              },
            ]);
          }
          if (reporting.includes(name)) {
            for (const operation of ['GET /', 'hasOwnProperty']) {
              expect([name, ops[operation]]).toEqual([
                name,
                expect.objectContaining({
                  probability: rateOf(index),
                  source: 'policy',
                  requestsPerSecond: expect.any(Number),
                }),
              ]);
            }
          }
        }
        expect(reporter.failures).toEqual([]);
      });

      it('deletes them one by one, and the tables stay intact', async () => {
        await reporter?.stop();
        const kept = HOSTILE.filter((_, index) => index % 2 === 1);
        for (const [index, name] of HOSTILE.entries()) {
          if (index % 2 === 1) continue;
          expect([name, (await operator.delete(policyPath(name))).status]).toEqual([name, 204]);
        }
        for (const [index, name] of HOSTILE.entries()) {
          const rate = (await pollStrategy(samplane.url, name)).operationSampling?.defaultSamplingProbability;
          expect([name, rate]).toEqual([name, index % 2 === 1 ? rateOf(index) : 0.001]);
        }
        const list = (await operator.get('/api/v1/policies?limit=100')).body as { items: { service: string }[] };
        expect(list.items.map((item) => item.service)).toEqual(kept.sort(byCodePoint));
        const deletes = HOSTILE.length - kept.length;
        expect(await backend.tables(env)).toEqual({
          policies: kept.length,
          policy_audit: HOSTILE.length + deletes,
          samplane_migrations: 1,
        });
        expect(await samplane.stop('SIGTERM')).toBe(0);
      });
    });
  });
});
