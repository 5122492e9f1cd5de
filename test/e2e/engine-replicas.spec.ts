import { RedisServer } from '../support/redis-server';
import { LEASE_MS, RedisPeek, ReplicaSet, SnapshotLog, type StoredSnapshot, jaegerStep, served } from '../support/replica-set';
import { SimulatedFleet } from '../support/simulated-fleet';
import { waitFor } from '../support/wait';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const TARGET = 10;
/** Half of it through each replica. */
const REQUESTS_PER_SECOND = 20_000;

/**
 * Two replicas on one Redis: traffic reported to both is summed before the one leader
 * calculates, and every replica serves each new calculation within about a second, through
 * the leader's announcement (their periodic reload is 30 s away).
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
    set = await ReplicaSet.start(redis, 2, { ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET) });
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
    const inBand = (s: StoredSnapshot) => qps(s) !== undefined && Math.abs(qps(s) - TARGET) / TARGET < 0.3;

    // Settled: two calculations in a row inside the tolerance band, keeping the probability.
    const settled = await waitFor(
      () =>
        log.consecutivePairs().find(([a, b]) => probability(a) !== undefined && inBand(a) && inBand(b) && probability(a) === probability(b)),
      'the probability to settle inside the tolerance band',
      40_000,
      100,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.trace(SERVICE, OPERATION)}`);
    });
    const [, last] = settled;
    // A probability moved away from the initial one, and the QPS it is computed from is the
    // traffic of both replicas: total requests × probability, not one replica's half of it.
    expect(probability(last)).toBeLessThan(0.001);
    expect(qps(last) / probability(last)).toBeGreaterThan(REQUESTS_PER_SECOND * 0.85);
    expect(qps(last) / probability(last)).toBeLessThan(REQUESTS_PER_SECOND * 1.15);

    // Every change on the way, the first one from 0.001 included, is Jaeger's step from the
    // previous probability and the QPS of the calculation that made it.
    let old = 0.001;
    let previous: number | undefined;
    let changes = 0;
    for (const snapshot of log.snapshots) {
      const p = probability(snapshot);
      if (p === undefined) continue;
      if (p !== old && (previous === undefined || snapshot.version === previous + 1)) {
        expect(p).toBeCloseTo(jaegerStep(old, qps(snapshot), { target: TARGET }), 12);
        changes++;
      }
      old = p;
      previous = snapshot.version;
    }
    expect(changes).toBeGreaterThan(0);
    expect(fleet.failures).toEqual([]);
  });

  it('has every replica serve each new calculation within about a second', async () => {
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
        5_000,
        20,
      );
      expect(Date.now() - savedAt).toBeLessThan(1_500);
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
    const successor = await set.waitForLeader(LEASE_MS);
    expect(successor).not.toBe(leader);
    await log.next(version, 'a calculation by the new leader', 15_000);
  });
});
