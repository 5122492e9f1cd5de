import { RedisServer } from '../support/redis-server';
import {
  LEASE_MS,
  RedisPeek,
  ReplicaSet,
  SnapshotLog,
  type StoredSnapshot,
  jaegerStep,
  served,
} from '../support/replica-set';
import { SimulatedFleet } from '../support/simulated-fleet';
import { waitFor } from '../support/wait';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const TARGET = 10;
/** Half of it through each replica. */
const REQUESTS_PER_SECOND = 20_000;

/**
 * Two replicas on one Redis: traffic reported to both is summed before the one leader
 * calculates, and every replica serves each new calculation within seconds, through the
 * leader's announcement (their periodic reload is 30 s away).
 *
 * At the initial 0.001 each replica alone sees 10 sampled traces/s, on target by itself: only
 * the sum, 20/s, is off target. A leader reading one replica's counts would keep 0.001.
 */
describe('replicas sharing one Redis', () => {
  let redis: RedisServer;
  let set: ReplicaSet;
  let peek: RedisPeek;
  let log: SnapshotLog;
  let fleet: SimulatedFleet | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // The sums are checked against Jaeger's rule, which counts sampled spans.
    set = await ReplicaSet.start(redis, 2, { ADAPTIVE_ALGORITHM: 'jaeger', ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET) });
    peek = await RedisPeek.connect(redis);
    log = new SnapshotLog(peek);
  });

  afterAll(async () => {
    await fleet?.stop();
    await log?.stop();
    await set?.stopAll();
    peek?.close();
    await redis?.destroy();
  });

  it('elects exactly one leader', async () => {
    await set.waitForLeader();
    expect(await set.leaders()).toHaveLength(1);
  });

  it('calculates from the sum of what every replica counted, by Jaeger’s rule', async () => {
    fleet = new SimulatedFleet({
      service: SERVICE,
      operations: [{ operation: OPERATION, requestsPerSecond: REQUESTS_PER_SECOND }],
      targets: () => set.alive(),
    });
    fleet.start();
    const probability = (s: StoredSnapshot) => s.probabilities[SERVICE]?.[OPERATION];
    const qps = (s: StoredSnapshot) => s.qps[SERVICE]?.[OPERATION];
    await waitFor(
      () => log.snapshots.filter((s) => probability(s) !== undefined).length >= 8,
      'eight calculations over the traffic',
      40_000,
      100,
    );
    const trace = `\n${log.trace(SERVICE, OPERATION)}`;

    // Each replica alone sees 10 sampled traces/s at 0.001, on target: only the sum moves it.
    expect(Math.min(...log.snapshots.map((s) => probability(s) ?? 1))).toBeLessThan(0.001 * 0.8);

    // Every change, the first one from 0.001 included, is Jaeger's step from the previous
    // probability and the QPS of the calculation that made it. (Near the target it keeps
    // moving: each calculation sees traffic sampled at the probability of one or two
    // calculations before, Jaeger's delay, so it overshoots and swings back.)
    let old = 0.001;
    let previous: number | undefined;
    let changes = 0;
    for (const snapshot of log.snapshots) {
      const p = probability(snapshot);
      if (p === undefined) continue;
      if (p !== old && (previous === undefined || snapshot.version === previous + 1)) {
        const expected = jaegerStep(old, qps(snapshot), { target: TARGET });
        if (Math.abs(p - expected) > 1e-12) throw new Error(`v${snapshot.version}: ${p}, expected ${expected}${trace}`);
        changes++;
      }
      old = p;
      previous = snapshot.version;
    }
    expect(changes).toBeGreaterThan(0);

    // Nothing lost, nothing counted twice: the sampled spans the calculations counted (QPS ×
    // bucket length, bucket after bucket) are the ones reported to both replicas, give or take
    // the half second a report waits for its replica's next flush at either end.
    const counted = log
      .consecutivePairs()
      .filter(([a, b]) => probability(a) !== undefined && probability(b) !== undefined);
    const from = counted[0][0].dataThrough;
    const to = counted[counted.length - 1][1].dataThrough;
    const engineTotal = counted.reduce((sum, [a, b]) => sum + (qps(b) * (b.dataThrough - a.dataThrough)) / 1000, 0);
    const reported = fleet.sampledBetween(OPERATION, from - 500, to - 500);
    if (Math.abs(engineTotal - reported) / reported > 0.15) {
      throw new Error(`counted ${engineTotal} sampled spans in (${from}, ${to}], reported ${reported}${trace}`);
    }
    expect(fleet.failures).toEqual([]);
  });

  it('has every replica serve each new calculation within seconds, through the announcement', async () => {
    for (let round = 0; round < 3; round++) {
      const before = await peek.version();
      const version = await waitFor(
        async () => {
          const now = await peek.version();
          return now > before ? now : undefined;
        },
        'a new calculation',
        15_000,
        20,
      );
      const savedAt = Date.now();
      await waitFor(
        async () => (await set.versions()).every((v) => v >= version),
        `every replica to serve version ${version}`,
        10_000,
        20,
      );
      // Well within the 30 s periodic reload: the announcement brought it (usually in well under
      // a second; the bench measures it, the bound leaves room for a loaded machine).
      expect(Date.now() - savedAt).toBeLessThan(5_000);
    }
    // Same version, same answer, byte for byte.
    const answers = await waitFor(
      async () => {
        const each = await Promise.all(set.alive().map((replica) => served(replica, SERVICE)));
        return each.every((a) => a.version === each[0].version) ? each : undefined;
      },
      'the replicas to serve the same version at one moment',
      10_000,
      20,
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0].operations[OPERATION]).toBeDefined();
  });

  it('hands the lease over when the leader stops on SIGTERM, and the next replica calculates', async () => {
    const leader = await set.waitForLeader();
    const version = await peek.version();
    expect(await set.stop(leader)).toBe(0);
    // Released on the way out, not left to expire: the key no longer names the stopped process.
    expect((await peek.lease()) ?? '(free)').not.toContain(`-${leader.pid}-`);
    // A follower tries every third of a lease.
    const stoppedAt = Date.now();
    const takenAt = await peek.leaseTakenFrom(leader.pid);
    expect(takenAt - stoppedAt).toBeLessThanOrEqual(LEASE_MS);
    const successor = await set.waitForLeader();
    expect(successor).not.toBe(leader);
    await log.next(version, 'a calculation by the new leader', 15_000);
  });
});
