import { RedisServer } from '../support/redis-server';
import { LEASE_MS, RedisPeek, ReplicaSet, SnapshotLog, served } from '../support/replica-set';
import { SimulatedFleet } from '../support/simulated-fleet';
import { waitFor } from '../support/wait';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const TARGET = 64;
const REQUESTS_PER_SECOND = 2_000;
const GOAL = TARGET / REQUESTS_PER_SECOND;
const BAND = { low: GOAL * 0.7, high: GOAL * 1.3 };

/**
 * Redis (no persistence) killed mid-adaptation and started again empty: replicas answer every
 * poll from what they hold while it is away, and afterwards the engine carries on from the
 * served probabilities instead of starting over from 0.001.
 */
describe('Redis stopped and restarted empty', () => {
  let redis: RedisServer;
  let set: ReplicaSet;
  let peek: RedisPeek;
  let log: SnapshotLog;
  let fleet: SimulatedFleet;
  let beforeOutage: Record<string, number>;
  let stoppedAt = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
    // Jaeger's walk, whose every step depends on the one before: what a restart must not reset.
    set = await ReplicaSet.start(redis, 2, { ADAPTIVE_ALGORITHM: 'jaeger', ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET) });
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

  it('adapts before the outage', async () => {
    await set.waitForLeader();
    fleet.start();
    await waitFor(() => (fleet.latest(OPERATION) ?? 0) >= 0.004, 'two doublings', 30_000, 50);
  });

  it('answers every poll with the last strategies while Redis is down', async () => {
    // The fleet polls on its own ticks: it must have seen what every replica agreed on, or its
    // first look after the stop would record that as a change. Read afresh at each try, as the
    // probabilities still move with each calculation.
    const seen = (replica: number) =>
      fleet.observations.filter((o) => o.replica === replica && o.operation === OPERATION).pop()?.probability;
    beforeOutage = await waitFor(
      async () => {
        const agreed = await set.agreed(SERVICE);
        return set.alive().every((replica) => seen(replica.httpPort) === agreed[OPERATION]) ? agreed : undefined;
      },
      'the fleet to have seen what every replica serves',
      30_000,
      50,
    );
    stoppedAt = Date.now();
    await redis.stop();

    // Long enough for the leader's lease to lapse: it must stop calculating, not just pause.
    await waitFor(
      async () => (await set.leaders()).length === 0,
      'the leader to give up its lapsed lease',
      3 * LEASE_MS,
      100,
    );
    for (const replica of set.alive()) {
      expect(await replica.metric('samplane_store_up')).toBe(0);
      for (let i = 0; i < 5; i++) expect((await served(replica, SERVICE)).operations).toEqual(beforeOutage);
    }
    expect(fleet.probabilitiesSince(OPERATION, stoppedAt)).toEqual([]);
    expect(fleet.failures).toEqual([]);
  });

  it('carries on from the served probabilities once Redis is back', async () => {
    await redis.startAgain();
    await set.waitForLeader(3 * LEASE_MS);
    // Redis lost everything, versions included: they start again from 1.
    const first = await waitFor(
      () => log.snapshots.find((s) => s.dataThrough > stoppedAt && s.probabilities[SERVICE]?.[OPERATION] !== undefined),
      'a calculation after the restart',
      20_000,
      50,
    );
    expect(first.probabilities[SERVICE][OPERATION]).toBeGreaterThanOrEqual(beforeOutage[OPERATION]);
    // Announcements flow again (the periodic reload is 30 s away): every replica takes each
    // new calculation, though its version number went back to 1, within seconds.
    for (let round = 0; round < 2; round++) {
      const latest = await peek.version();
      const version = await waitFor(
        async () => {
          const now = await peek.version();
          return now > latest ? now : undefined;
        },
        'a calculation',
        15_000,
        20,
      );
      const savedAt = Date.now();
      // Below the pre-outage numbers: taken because it is new, not because it is greater.
      await waitFor(
        async () => (await set.versions()).every((v) => v >= version && v < version + 3),
        `version ${version} everywhere`,
        10_000,
        20,
      );
      // Well within the 30 s periodic reload: the announcement brought it (usually in well under
      // a second; the bench measures it, the bound leaves room for a loaded machine).
      expect(Date.now() - savedAt).toBeLessThan(5_000);
    }
    await waitFor(
      () => {
        const p = fleet.latest(OPERATION) ?? 0;
        return p > BAND.low && p < BAND.high;
      },
      `the probability to reach the band ${BAND.low}..${BAND.high}`,
      40_000,
      50,
    );
  });

  it('never served less than before the outage', () => {
    const since = fleet.probabilitiesSince(OPERATION, stoppedAt);
    expect(since.length).toBeGreaterThan(0);
    expect(Math.min(...since)).toBeGreaterThanOrEqual(beforeOutage[OPERATION]);
    expect(fleet.failures).toEqual([]);
  });
});
