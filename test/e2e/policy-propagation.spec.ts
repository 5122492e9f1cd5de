import { isDeepStrictEqual } from 'node:util';
import { STRATEGIES_WITH_DEFAULT_FILE } from '../fixtures/e2e/strategy-files';
import { PostgresServer } from '../support/postgres-server';
import { RedisServer } from '../support/redis-server';
import { SamplaneProcess } from '../support/samplane-process';
import { type StrategyJson, pollStrategy, probabilistic, rateLimiting } from '../support/served-strategy';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, type Answer, OPERATOR_TOKEN, policyPath, sqliteDir } from './policies-http';

/** The README's promise: every replica applies a change within a second; two is the bound. */
const PROPAGATION_BOUND_MS = 2_000;

const ADAPTIVE = {
  mode: 'adaptive',
  targetSamplesPerSecond: 5,
  operations: [
    { operation: 'GET /health', samplingRate: 0 },
    { operation: 'POST /pay', targetSamplesPerSecond: 20 },
  ],
};

/**
 * What the adaptive policy serves before any calculation: the pinned operation, and the
 * adaptive default (0.001, lower bound 1/60) for the others. `POST /pay`'s own target steers
 * the engine only, so it is not in the answer.
 */
const ADAPTIVE_SERVED: StrategyJson = {
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.001 },
  operationSampling: {
    defaultSamplingProbability: 0.001,
    defaultLowerBoundTracesPerSecond: 1 / 60,
    perOperationStrategies: [{ operation: 'GET /health', probabilisticSampling: { samplingRate: 0 } }],
    defaultUpperBoundTracesPerSecond: 0,
  },
};

/** The file names `checkout` (0.2) and serves every other service its default_strategy, 0.4. */
const FILE_SERVICE = 'checkout';
const FILE_RATE = 0.2;
const FILE_DEFAULT = 0.4;

interface Step {
  name: string;
  change: (operator: AdminClient) => Promise<Answer>;
  status: number;
  /** What each service must be served once the change has been applied. */
  served: Record<string, StrategyJson>;
}

/**
 * One policy of every kind, the default policy and deletes, in an order that also walks the
 * precedence rules: policy over the file's entry, file entry over `*`, `*` over the file's
 * default_strategy. `unknown` names a service nobody ever configured.
 */
function steps(unknown: string): Step[] {
  return [
    {
      name: 'a probabilistic policy',
      change: (op) => op.put(policyPath('payments'), { mode: 'probabilistic', samplingRate: 0.25 }),
      status: 201,
      served: { payments: probabilistic(0.25), [unknown]: probabilistic(FILE_DEFAULT) },
    },
    {
      name: 'a ratelimiting policy',
      change: (op) => op.put(policyPath('payments'), { mode: 'ratelimiting', maxTracesPerSecond: 7 }),
      status: 200,
      served: { payments: rateLimiting(7) },
    },
    {
      name: 'an adaptive policy with a pinned operation and an operation target',
      change: (op) => op.put(policyPath('payments'), ADAPTIVE),
      status: 200,
      served: { payments: ADAPTIVE_SERVED },
    },
    {
      name: 'the default policy *, which outranks the file’s default_strategy but not its entries',
      change: (op) => op.put(policyPath('*'), { mode: 'probabilistic', samplingRate: 0.05 }),
      status: 201,
      served: { [unknown]: probabilistic(0.05), [FILE_SERVICE]: probabilistic(FILE_RATE), payments: ADAPTIVE_SERVED },
    },
    {
      name: 'a DELETE, after which the service falls back to *',
      change: (op) => op.delete(policyPath('payments')),
      status: 204,
      served: { payments: probabilistic(0.05) },
    },
    {
      name: 'a policy for a service the file names, which outranks the file',
      change: (op) => op.put(policyPath(FILE_SERVICE), { mode: 'probabilistic', samplingRate: 0.9 }),
      status: 201,
      served: { [FILE_SERVICE]: probabilistic(0.9) },
    },
    {
      name: 'a DELETE of *, after which the file’s default_strategy applies again',
      change: (op) => op.delete(policyPath('*')),
      status: 204,
      served: {
        [unknown]: probabilistic(FILE_DEFAULT),
        payments: probabilistic(FILE_DEFAULT),
        [FILE_SERVICE]: probabilistic(0.9),
      },
    },
    {
      name: 'a DELETE of the policy over the file’s entry, after which the file applies again',
      change: (op) => op.delete(policyPath(FILE_SERVICE)),
      status: 204,
      served: { [FILE_SERVICE]: probabilistic(FILE_RATE) },
    },
  ];
}

async function servesAll(baseUrl: string, expected: Record<string, StrategyJson>): Promise<boolean> {
  for (const [service, strategy] of Object.entries(expected)) {
    if (!isDeepStrictEqual(await pollStrategy(baseUrl, service), strategy)) return false;
  }
  return true;
}

async function servedNow(baseUrl: string, expected: Record<string, StrategyJson>): Promise<Record<string, StrategyJson>> {
  const entries = await Promise.all(Object.keys(expected).map(async (s) => [s, await pollStrategy(baseUrl, s)] as const));
  return Object.fromEntries(entries);
}

/**
 * Applies each step on `writer` and measures, from the write's answer, how long `reader` takes
 * to serve it. The writer itself must serve it on the very next poll: a change is applied on
 * the replica that took it before the write is answered.
 */
function propagationSuite(setup: () => { writer: SamplaneProcess; reader: SamplaneProcess }, measured: number[]): void {
  it.each(steps('never-configured'))('$name', async ({ change, status, served }) => {
    const { writer, reader } = setup();
    const operator = new AdminClient(writer.url, OPERATOR_TOKEN);
    // Otherwise the step would measure nothing.
    expect(await servesAll(reader.url, served)).toBe(false);

    const answer = await change(operator);
    const answeredAt = Date.now();
    expect(answer.status).toBe(status);
    expect(await servedNow(writer.url, served)).toEqual(served);

    await waitFor(() => servesAll(reader.url, served), 'the reader to serve the change', 10_000, 10);
    const elapsed = Date.now() - answeredAt;
    measured.push(elapsed);
    expect(await servedNow(reader.url, served)).toEqual(served);
    if (elapsed >= PROPAGATION_BOUND_MS) {
      throw new Error(`served ${elapsed} ms after the write was answered (so far: ${measured.join(', ')} ms)`);
    }
  });
}

/**
 * Operator policies reach what SDKs are served within two seconds of the write: on another
 * replica through the Redis announcement (POLICY_RELOAD_INTERVAL stays at its default 5 s, so
 * the periodic reload cannot be what delivers them), and on a single SQLite process at once.
 */
describe('policy propagation to what SDKs are served', () => {
  describe('two replicas on one Redis and one PostgreSQL', () => {
    let redis: RedisServer | undefined;
    let postgres: PostgresServer | undefined;
    let replicas: SamplaneProcess[] = [];
    const measured: number[] = [];

    beforeAll(async () => {
      [redis, postgres] = await Promise.all([RedisServer.start(), PostgresServer.start()]);
      const env = {
        ADMIN_TOKENS,
        REDIS_URL: redis.url,
        DATABASE_URL: await postgres.createDatabase('propagation'),
        STRATEGIES_FILE: STRATEGIES_WITH_DEFAULT_FILE,
      };
      replicas = await Promise.all([SamplaneProcess.start(env), SamplaneProcess.start(env)]);
      await Promise.all(replicas.map((replica) => replica.readyz()));
      // Measured from when both listen: a replica subscribed late relies on its periodic reload.
      await redis.waitForSubscribers('samplane:policies', 2);
    });

    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
      await Promise.all([redis?.destroy(), postgres?.destroy()]);
    });

    propagationSuite(() => ({ writer: replicas[0], reader: replicas[1] }), measured);
  });

  describe('one process on the default SQLite database', () => {
    let samplane: SamplaneProcess | undefined;
    const dir = sqliteDir();
    const measured: number[] = [];

    beforeAll(async () => {
      samplane = await SamplaneProcess.start({
        ADMIN_TOKENS,
        SQLITE_PATH: dir.path,
        STRATEGIES_FILE: STRATEGIES_WITH_DEFAULT_FILE,
      });
    });

    afterAll(async () => {
      await samplane?.stop('SIGKILL');
      dir.remove();
    });

    propagationSuite(() => ({ writer: samplane as SamplaneProcess, reader: samplane as SamplaneProcess }), measured);
  });
});
