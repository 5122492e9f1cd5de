import { PolicyDatabaseHealth } from '../../src/policies/policy-database.health';
import { PolicyRepository } from '../../src/policies/policy.repository';
import { LostRaceError, PolicyDatabaseUnavailableError } from '../../src/policies/policy.errors';
import type { Policy } from '../../src/sampling/policy';
import { PostgresServer } from '../support/postgres-server';
import { waitFor } from '../support/wait';
import { PolicyPlace, tempDir } from './policies-harness';

const HALF: Policy = { mode: 'probabilistic', samplingRate: 0.5 };
const TENTH: Policy = { mode: 'probabilistic', samplingRate: 0.1 };

describe('policies while PostgreSQL is away', () => {
  let postgres: PostgresServer;
  const dir = tempDir();
  let place: PolicyPlace;

  beforeAll(async () => {
    postgres = await PostgresServer.start();
  });

  afterAll(async () => {
    await postgres.destroy();
    dir.remove();
  });

  beforeEach(async () => {
    place = await PolicyPlace.create('postgres', postgres, dir.path);
  });

  afterEach(async () => {
    await place.closeAll();
    await postgres.startAgain();
  });

  it('fails writes and reads with "unavailable", keeps serving what it had, and recovers by itself', async () => {
    const replica = await place.replica();
    const health = new PolicyDatabaseHealth(replica.database);
    await replica.policies.put('checkout', HALF, {}, 'alice');
    await health.ping();

    await postgres.stop();
    await expect(replica.policies.put('checkout', TENTH, {}, 'alice')).rejects.toBeInstanceOf(
      PolicyDatabaseUnavailableError,
    );
    await expect(replica.policies.get('checkout')).rejects.toThrow(/^policy database unavailable: \S/);
    await expect(replica.audit.page(10)).rejects.toBeInstanceOf(PolicyDatabaseUnavailableError);
    await expect(health.ping()).rejects.toThrow(/policy database unavailable/);
    await replica.sync.reload();
    expect(replica.served.current.get('checkout')).toEqual(HALF);

    await postgres.startAgain();
    await replica.policies.put('checkout', TENTH, {}, 'alice');
    expect(replica.served.current.get('checkout')).toEqual(TENTH);
    await health.ping();
    // The failed write left nothing behind.
    expect((await replica.audit.page(10)).items.map((e) => e.version)).toEqual([2, 1]);
  });

  it('starts without the database, answers "unavailable", and loads policies once it is back', async () => {
    const first = await place.replica();
    await first.policies.put('checkout', HALF, {}, 'alice');
    await place.closeAll();
    await postgres.stop();

    const replica = await place.replica({ connect: false });
    const started = Date.now();
    await replica.database.onModuleInit();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(replica.database.connected).toBe(false);
    await expect(replica.policies.put('checkout', TENTH, {}, 'alice')).rejects.toThrow(/^policy database unavailable: \S/);
    expect(replica.served.current.size).toBe(0);

    await postgres.startAgain();
    await waitFor(() => replica.served.current.get('checkout')?.samplingRate === 0.5, 'policies loaded after reconnecting');
    await replica.policies.put('checkout', TENTH, {}, 'alice');
  });

  it('compare-and-set updates nothing when the version moved', async () => {
    const replica = await place.replica();
    await replica.policies.put('cas', HALF, {}, 'alice');
    await replica.policies.put('cas', TENTH, {}, 'alice');
    const stale = replica.database.transaction((m) =>
      new PolicyRepository(m).replaceIfVersion('cas', 1, {
        document: JSON.stringify(HALF),
        version: 2,
        updatedAt: new Date(),
        updatedBy: 'mallory',
      }),
    );
    await expect(stale).rejects.toBeInstanceOf(LostRaceError);
    expect(await replica.policies.get('cas')).toMatchObject({ version: 2, updatedBy: 'alice', policy: TENTH });
  });
});
