import { RedisServer } from '../support/redis-server';
import { LEASE_MS, RedisPeek, ReplicaSet, SnapshotLog } from '../support/replica-set';
import type { SamplaneProcess } from '../support/samplane-process';
import { SimulatedFleet } from '../support/simulated-fleet';
import { waitFor } from '../support/wait';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const INITIAL = 0.001;
const TARGET = 64;
const REQUESTS_PER_SECOND = 2_000;
/** Where Jaeger settles: 64 sampled/s out of 2000 requests/s, five doublings from 0.001. */
const GOAL = TARGET / REQUESTS_PER_SECOND;
/** Jaeger keeps a probability once the sampled rate is within 30 % of the target. */
const BAND = { low: GOAL * 0.7, high: GOAL * 1.3 };

/**
 * Three replicas, the leader killed with SIGKILL mid-adaptation (no lease release, no last
 * flush), then a follower: another replica takes the lease within two lease periods, restores
 * the served probabilities and goes on from them toward the target, never back to 0.001.
 */
describe('leader failover', () => {
  let redis: RedisServer;
  let set: ReplicaSet;
  let peek: RedisPeek;
  let log: SnapshotLog;
  let fleet: SimulatedFleet;
  let servedAtLeaderKill = 0;
  let leaderKilledAt = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Jaeger's walk climbs from 0.001 step by step, so "went on from what was served" shows
    // as never serving less than before the kill; samplane would be settled already.
    set = await ReplicaSet.start(redis, 3, { ADAPTIVE_ALGORITHM: 'jaeger', ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET) });
    peek = await RedisPeek.connect(redis);
    log = new SnapshotLog(peek);
    fleet = new SimulatedFleet({
      service: SERVICE,
      operations: [{ operation: OPERATION, requestsPerSecond: REQUESTS_PER_SECOND }],
      targets: () => set.alive(),
    });
  });

  afterAll(async () => {
    await fleet?.stop();
    await log?.stop();
    await set?.stopAll();
    peek?.close();
    await redis?.destroy();
  });

  it('adapts with three replicas', async () => {
    await set.waitForLeader();
    fleet.start();
    await waitFor(() => (fleet.latest(OPERATION) ?? 0) >= 0.004, 'two doublings', 30_000, 50);
  });

  it('elects another leader within two lease periods of a kill -9; it goes on from what was served', async () => {
    const leader = await set.waitForLeader();
    servedAtLeaderKill = (await set.agreed(SERVICE))[OPERATION];
    const versionAtKill = await peek.version();
    leaderKilledAt = Date.now();
    await set.kill(leader);

    // Its lease lapses at most one lease after its last renewal; a follower tries every third.
    const takenAt = await peek.leaseTakenFrom(leader.pid);
    expect(takenAt - leaderKilledAt).toBeLessThanOrEqual(2 * LEASE_MS);
    const successor = await set.waitForLeader();
    expect(successor).not.toBe(leader);

    // Its first calculation starts from what was served, not from 0.001.
    const first = await log.next(versionAtKill, 'the new leader to calculate', 20_000);
    expect(first.probabilities[SERVICE][OPERATION]).toBeGreaterThanOrEqual(servedAtLeaderKill);
    await waitFor(
      () => (fleet.latest(OPERATION) ?? 0) > servedAtLeaderKill,
      'the probability to rise further',
      20_000,
      50,
    );
  });

  it('keeps adapting after a follower is killed too, up to the target', async () => {
    const leader = await set.waitForLeader();
    const follower = set.alive().find((replica) => replica !== leader) as SamplaneProcess;
    const servedAtFollowerKill = (await set.agreed(SERVICE))[OPERATION];
    const versionAtKill = await peek.version();
    await set.kill(follower);

    // Calculations go on once the dead follower stops holding back the flush watermark.
    await log.next(versionAtKill + 1, 'two more calculations', 20_000);
    const reached = await waitFor(
      () => {
        const p = fleet.latest(OPERATION) ?? 0;
        return p > BAND.low && p < BAND.high ? p : undefined;
      },
      `the probability to reach the band ${BAND.low}..${BAND.high}`,
      40_000,
      50,
    );
    expect(reached).toBeGreaterThanOrEqual(servedAtFollowerKill);
  });

  it('never went back to the initial probability, nor below what was served at the first kill', () => {
    const leftInitialAt = fleet.observations.find((o) => o.probability > INITIAL)?.at ?? Infinity;
    const afterwards = fleet.probabilitiesSince(OPERATION, leftInitialAt);
    expect(afterwards.length).toBeGreaterThan(3);
    expect(Math.min(...afterwards)).toBeGreaterThan(INITIAL);
    const sinceKill = fleet.probabilitiesSince(OPERATION, leaderKilledAt);
    expect(Math.min(...sinceKill)).toBeGreaterThanOrEqual(servedAtLeaderKill);
    expect(fleet.failures).toEqual([]);
    expect(set.alive()).toHaveLength(1);
  });
});
