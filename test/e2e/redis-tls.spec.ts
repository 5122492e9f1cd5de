import { rmSync } from 'node:fs';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE, ReplicaSet, served } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { SimulatedFleet } from '../support/simulated-fleet';
import { TestPki } from '../support/test-pki';
import { waitFor } from '../support/wait';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const REQUESTS_PER_SECOND = 1_000;
const GOAL = 1 / REQUESTS_PER_SECOND;

/**
 * One Redis that speaks TLS only and asks every client for a certificate, as hardened installs
 * and managed offerings run it: replicas given `rediss://`, the CA and a client certificate
 * share it as they would a plain one; one that cannot prove itself, or does not trust the
 * server, keeps answering polls and says why it has no store.
 */
describe('replicas on a Redis over mutual TLS (rediss://)', () => {
  let pki: TestPki;
  let redis: RedisServer;
  let set: ReplicaSet;
  let fleet: SimulatedFleet | undefined;
  const strangers: SamplaneProcess[] = [];
  let trusted: Record<string, string>;

  beforeAll(async () => {
    pki = new TestPki('Redis CA');
    const node = pki.peer();
    redis = await RedisServer.start({ caFile: pki.caFile, certFile: node.certFile, keyFile: node.keyFile, authClients: true });
    const client = pki.client('samplane');
    trusted = { REDIS_TLS_CA_FILE: pki.caFile, REDIS_TLS_CERT_FILE: client.certFile, REDIS_TLS_KEY_FILE: client.keyFile };
    set = await ReplicaSet.start(redis, 2, trusted);
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await Promise.all(strangers.map((s) => s.stop()));
    await set?.stopAll();
    await redis?.destroy();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('elects one leader, adapts, and both replicas serve the same rates', async () => {
    expect(redis.url).toMatch(/^rediss:\/\//);
    await set.waitForLeader();
    for (const replica of set.alive()) expect(await replica.metric('samplane_store_up')).toBe(1);
    fleet = new SimulatedFleet({ service: SERVICE, operations: [{ operation: OPERATION, requestsPerSecond: REQUESTS_PER_SECOND }], targets: () => set.alive() });
    fleet.start();
    await waitFor(
      async () => {
        const answers = await Promise.all(set.alive().map((replica) => served(replica, SERVICE)));
        return answers.every((a) => Math.abs((a.operations[OPERATION] ?? 0) - GOAL) / GOAL <= 0.3);
      },
      'both replicas to serve target ÷ rate',
      40_000,
      200,
    );
    const agreed = await set.agreed(SERVICE);
    expect(agreed[OPERATION]).toBeGreaterThan(GOAL * 0.7);
    expect(fleet.failures).toEqual([]);
  }, 60_000);

  it.each([
    ['shows no client certificate', () => ({ REDIS_TLS_CA_FILE: pki.caFile })],
    ['does not trust the server’s CA', () => ({ REDIS_TLS_CERT_FILE: trusted.REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE: trusted.REDIS_TLS_KEY_FILE })],
  ])('a replica that %s answers polls without a store and logs why', async (_case, tlsEnv) => {
    const stranger = await SamplaneProcess.start({ ...FAST_ENGINE, REDIS_URL: redis.url, ...tlsEnv() });
    strangers.push(stranger);
    await stranger.waitForOutput('redis unavailable', 20_000);
    expect(await stranger.metric('samplane_store_up')).toBe(0);
    expect(await stranger.metric('samplane_leader')).toBe(0);
    expect((await stranger.get('/readyz')).status).toBe(503);
    // Polls are answered (the defaults: it never had a snapshot).
    expect(await stranger.poll(SERVICE)).toHaveProperty('strategyType');
    // The reason is the TLS failure, not a bare "connection closed".
    const reasons = stranger.output
      .split('\n')
      .filter((line) => line.includes('redis unavailable'))
      .map((line) => (JSON.parse(line) as { reason?: string }).reason ?? '');
    expect(reasons.some((reason) => /certificate|alert|handshake|self.signed|unable to verify/i.test(reason))).toBe(true);
  }, 60_000);
});

/**
 * A Redis whose certificate names it (`redis.internal`) but not the address it is reached at,
 * as where nodes announce IPs and certificates hold DNS names: REDIS_TLS_SERVERNAME says which
 * name to check; without it the handshake fails and says so.
 */
describe('a Redis over TLS whose certificate holds a name, not its address', () => {
  let pki: TestPki;
  let redis: RedisServer;
  const replicas: SamplaneProcess[] = [];

  beforeAll(async () => {
    pki = new TestPki('Redis CA');
    const node = pki.peer('redis', 'DNS:redis.internal');
    redis = await RedisServer.start({ caFile: pki.caFile, certFile: node.certFile, keyFile: node.keyFile, authClients: false });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.destroy();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>): Promise<SamplaneProcess> => {
    const replica = await SamplaneProcess.start({ ...FAST_ENGINE, REDIS_URL: redis.url, REDIS_TLS_CA_FILE: pki.caFile, ...env });
    replicas.push(replica);
    return replica;
  };

  it('is reached with REDIS_TLS_SERVERNAME naming it', async () => {
    const replica = await start({ REDIS_TLS_SERVERNAME: 'redis.internal' });
    await waitFor(async () => (await replica.metric('samplane_leader')) === 1, 'the replica to lead', 20_000, 100);
    expect(await replica.metric('samplane_store_up')).toBe(1);
  }, 60_000);

  it('is refused without it, naming the mismatch', async () => {
    const replica = await start({});
    await replica.waitForOutput('redis unavailable', 20_000);
    expect(await replica.metric('samplane_store_up')).toBe(0);
    expect(replica.output).toMatch(/does not match certificate's altnames/);
  }, 60_000);
});
