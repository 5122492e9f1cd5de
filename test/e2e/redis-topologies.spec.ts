import { rmSync } from 'node:fs';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { PostgresServer } from '../support/postgres-server';
import { RedisClusterFixture, type RedisSecuritySetup, RedisSentinelFixture } from '../support/redis-topologies';
import { FAST_ENGINE, served } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { type SimulatedOperation, SimulatedFleet } from '../support/simulated-fleet';
import { TestPki } from '../support/test-pki';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath } from './policies-http';

const SERVICE = 'checkout';
const TRAFFIC: SimulatedOperation[] = [
  { operation: 'GET /cart', requestsPerSecond: 1_000 },
  { operation: 'POST /pay', requestsPerSecond: 100 },
];
const goal = (operation: string) => 1 / (TRAFFIC.find((op) => op.operation === operation)?.requestsPerSecond ?? NaN);
const near = (p: number | undefined, to: number) => p !== undefined && Math.abs(p - to) / to <= 0.3;

/** A Redis topology an operator points Samplane at, and how its primary for the lease fails. */
interface Topology {
  env: Record<string, string>;
  /** kill -9 of the master (primary) holding the lease, then waits until it was replaced. */
  failLeaseMaster(): Promise<void>;
  /** Behind Sentinels: how many connections listen for failovers on each (clients' failover detectors). */
  failoverListeners?(): Promise<number[]>;
  destroy(): Promise<void>;
}

/** How a topology's servers (and sentinels) are secured, and what Samplane is told for it. */
interface Secured {
  security: RedisSecuritySetup;
  env: Record<string, string>;
  pki: TestPki;
}

/**
 * Servers and sentinels over TLS only, signed by a CA of their own, each asking for a password;
 * `authClients`: Samplane shows a client certificate too.
 */
function secured(authClients: boolean, kind: 'cluster' | 'sentinel'): Secured {
  const pki = new TestPki('Redis CA');
  const node = pki.peer();
  const password = `pw-${kind}-${Date.now().toString(36)}`;
  // The Sentinels' own differs, so that sending one where the other is due fails.
  const sentinelPassword = kind === 'sentinel' ? `${password}-sentinels` : undefined;
  const security = { tls: { caFile: pki.caFile, certFile: node.certFile, keyFile: node.keyFile, authClients }, password, sentinelPassword };
  const client = authClients ? pki.client('samplane') : undefined;
  const env: Record<string, string> = {
    REDIS_TLS_CA_FILE: pki.caFile,
    ...(client && { REDIS_TLS_CERT_FILE: client.certFile, REDIS_TLS_KEY_FILE: client.keyFile }),
    REDIS_PASSWORD: password,
    ...(sentinelPassword && { REDIS_SENTINEL_PASSWORD: sentinelPassword }),
  };
  return { security, env, pki };
}

function cluster(authClients?: boolean): () => Promise<Topology> {
  return async () => {
    const secure = authClients === undefined ? undefined : secured(authClients, 'cluster');
    const cluster = await RedisClusterFixture.start(undefined, secure?.security);
    return {
      env: { REDIS_CLUSTER_NODES: cluster.seeds, ...secure?.env },
      failLeaseMaster: async () => {
        await cluster.killMaster(await cluster.masterOf(new RedisKeys('samplane:').leader));
        await cluster.healthy();
      },
      destroy: async () => {
        await cluster.destroy();
        if (secure) rmSync(secure.pki.dir, { recursive: true, force: true });
      },
    };
  };
}

function sentinel(authClients?: boolean): () => Promise<Topology> {
  return async () => {
    const secure = authClients === undefined ? undefined : secured(authClients, 'sentinel');
    const sentinel = await RedisSentinelFixture.start(secure?.security);
    return {
      env: { REDIS_SENTINELS: sentinel.sentinelList, REDIS_SENTINEL_MASTER: RedisSentinelFixture.MASTER, ...secure?.env },
      failLeaseMaster: async () => void (await sentinel.failover()),
      failoverListeners: () => sentinel.switchMasterSubscribers(),
      destroy: async () => {
        await sentinel.destroy();
        if (secure) rmSync(secure.pki.dir, { recursive: true, force: true });
      },
    };
  };
}

/** Each builder's argument, where given: secured (TLS only and passwords), and whether Samplane must show a client certificate. */
const TOPOLOGIES: Array<[string, () => Promise<Topology>]> = [
  ['a six-node Redis Cluster', cluster()],
  ['a Sentinel-managed primary', sentinel()],
  // As managed Redis offerings run: TLS only, client certificates required, a password.
  ['a six-node Redis Cluster over mutual TLS, with a password', cluster(true)],
  // The primary, its replica and the Sentinels all over TLS, and all asking for a password.
  ['a Sentinel-managed primary over TLS, with passwords', sentinel(false)],
];

/**
 * Two replicas on a real Redis Cluster or behind real Sentinels, as an operator points them at
 * it, sharing one PostgreSQL: they adapt, share policies, and when the master (primary) holding
 * the lease is killed, no poll fails and calculations resume from the stored rates.
 */
describe.each(TOPOLOGIES)('replicas on %s', (name, startTopology) => {
  let topology: Topology;
  let postgres: PostgresServer;
  let replicas: SamplaneProcess[] = [];
  let fleet: SimulatedFleet | undefined;
  const failedPolls: string[] = [];
  let polling = true;
  let poller: Promise<void> | undefined;

  beforeAll(async () => {
    [topology, postgres] = await Promise.all([startTopology(), PostgresServer.start()]);
    const env = {
      ...FAST_ENGINE,
      ...topology.env,
      // Failover takes a node timeout (1 s) and a promotion: commands may wait that long.
      REDIS_COMMAND_TIMEOUT: '2s',
      ADAPTIVE_LEADER_LEASE: '4s',
      DATABASE_URL: await postgres.createDatabase('cluster'),
      ADMIN_TOKENS,
    };
    replicas = await Promise.all([SamplaneProcess.start(env), SamplaneProcess.start(env)]);
  }, 120_000);

  afterAll(async () => {
    polling = false;
    await poller;
    await fleet?.stop();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await topology?.destroy();
    await postgres?.destroy();
  });

  it('adapts, shares policies, and survives a master failover with no failed poll', async () => {
    fleet = new SimulatedFleet({ service: SERVICE, operations: TRAFFIC, targets: () => replicas, tickMs: 250, maxDurationMs: 110_000 });
    fleet.start();
    poller = (async () => {
      while (polling) {
        await Promise.all(
          replicas.map(async (replica) => {
            const response = await fetch(`${replica.url}/sampling?service=${SERVICE}`).catch((error: Error) => error);
            if (response instanceof Error || response.status !== 200) failedPolls.push(String(response instanceof Error ? response : response.status));
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const adapted = async () => {
      const each = await Promise.all(replicas.map((replica) => served(replica, SERVICE)));
      return each.every((answer) => TRAFFIC.every(({ operation }) => near(answer.operations[operation], goal(operation)))) ? each : undefined;
    };
    await waitFor(adapted, 'both replicas to serve target ÷ rate', 40_000, 200);
    // Each replica's failover detector listens on every Sentinel (over TLS and with their password where asked).
    const listeners = topology.failoverListeners;
    if (listeners) await waitFor(async () => (await listeners()).every((n) => n >= replicas.length), 'failover detectors on every Sentinel', 10_000, 200);

    const operator = new AdminClient(replicas[0].url, OPERATOR_TOKEN);
    expect((await operator.put(policyPath('pinned'), { mode: 'probabilistic', samplingRate: 0.3 })).status).toBe(201);
    await waitFor(async () => (await served(replicas[1], 'pinned')).defaultProbability === 0.3, 'the policy on the other replica', 10_000, 50);

    const computedSoFar = async () =>
      (await Promise.all(replicas.map((r) => r.metric('samplane_calculations_total', { outcome: 'computed' }).catch(() => 0)))).reduce((a, b) => a + b, 0);
    const total = await computedSoFar();
    const killedAt = Date.now();
    await topology.failLeaseMaster();
    await waitFor(async () => (await computedSoFar()) >= total + 3, 'calculations to resume after the failover', 30_000, 200).catch((error: Error) => {
      // What each replica logged since the kill says where it is stuck (no lease, no store, failing ticks).
      const since = new Date(killedAt).toISOString();
      const logs = replicas.map((r, i) => `replica ${i}:\n${logLinesSince(r.output, since).slice(-4000)}`);
      throw new Error(`${error.message}\n${logs.join('\n')}`, { cause: error });
    });
    const resumedAfterMs = Date.now() - killedAt;
    // From the stored rates: nothing reset to the initial probability (0.001, ten times below
    // POST /pay's), and adapted again once the counts lost in the failover are behind it.
    // Whole observations, so a failure says which replica served it and from which version.
    expect(fleet.observations.filter((o) => o.operation === 'POST /pay' && o.at >= killedAt && o.probability <= 0.002)).toEqual([]);
    await waitFor(adapted, 'both replicas to serve target ÷ rate again', 20_000, 200);
    expect(failedPolls).toEqual([]);
    expect(fleet.failures).toEqual([]);
    console.log(`${name}: calculations resumed ${resumedAfterMs} ms after the master was killed`);
  }, 110_000);
});

/** The JSON log lines stamped at or after `since` (ISO time), as written. */
function logLinesSince(output: string, since: string): string {
  return output
    .split('\n')
    .filter((line) => {
      const time = /"time":"([^"]+)"/.exec(line)?.[1];
      return time === undefined || time >= since;
    })
    .join('\n');
}
