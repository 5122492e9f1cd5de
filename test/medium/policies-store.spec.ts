import { PolicyRepository } from '../../src/policies/policy.repository';
import { PolicyNotFoundError, PreconditionFailedError } from '../../src/policies/policy.errors';
import { FieldError } from '../../src/errors/domain-error';
import { parseEntityTags } from '../../src/policies/etag';
import type { Policy } from '../../src/sampling/policy';
import { PostgresServer } from '../support/postgres-server';
import { waitFor } from '../support/wait';
import { type Backend, PolicyPlace, type Replica, tempDir } from './policies-harness';

const ADAPTIVE: Policy = { mode: 'adaptive', targetSamplesPerSecond: 5, operations: [{ operation: 'GET /health', samplingRate: 0 }] };
const HALF: Policy = { mode: 'probabilistic', samplingRate: 0.5 };
const LIMITED: Policy = { mode: 'ratelimiting', maxTracesPerSecond: 20 };

const tags = (header: string) => parseEntityTags(header);

describe.each<Backend>(['sqlite', 'postgres'])('policies on %s', (backend) => {
  let postgres: PostgresServer | undefined;
  const dir = tempDir();
  let place: PolicyPlace;
  let replica: Replica;

  beforeAll(async () => {
    if (backend === 'postgres') postgres = await PostgresServer.start();
  });

  afterAll(async () => {
    await postgres?.destroy();
    dir.remove();
  });

  beforeEach(async () => {
    place = await PolicyPlace.create(backend, postgres, dir.path);
    replica = await place.replica();
  });

  afterEach(async () => {
    await place.closeAll();
  });

  it('creates, reads, lists, replaces and deletes policies', async () => {
    const created = await replica.policies.put('checkout', ADAPTIVE, {}, 'alice');
    expect(created.created).toBe(true);
    expect(created.stored).toMatchObject({ service: 'checkout', version: 1, updatedBy: 'alice', policy: ADAPTIVE });

    const read = await replica.policies.get('checkout');
    expect(read.policy).toEqual(ADAPTIVE);
    expect(read.version).toBe(1);
    expect(Math.abs(read.updatedAt.getTime() - Date.now())).toBeLessThan(5_000);

    const replaced = await replica.policies.put('checkout', HALF, {}, 'bob');
    expect(replaced).toMatchObject({ created: false, stored: { version: 2, updatedBy: 'bob', policy: HALF } });
    await replica.policies.put('*', LIMITED, {}, 'alice');

    const page = await replica.policies.list(10, 0);
    expect(page.total).toBe(2);
    expect(page.items.map((p) => [p.service, p.version, p.policy])).toEqual([
      ['*', 1, LIMITED],
      ['checkout', 2, HALF],
    ]);
    expect((await replica.policies.list(1, 1)).items.map((p) => p.service)).toEqual(['checkout']);

    await replica.policies.delete('checkout', {}, 'alice');
    await expect(replica.policies.get('checkout')).rejects.toBeInstanceOf(PolicyNotFoundError);
    await expect(replica.policies.delete('checkout', {}, 'alice')).rejects.toBeInstanceOf(PolicyNotFoundError);
    expect((await replica.policies.list(10, 0)).total).toBe(1);
  });

  it('honours If-Match and If-None-Match, and never reuses a version after a delete', async () => {
    await replica.policies.put('cart', HALF, { ifNoneMatch: tags('*') }, 'alice');
    await expect(replica.policies.put('cart', HALF, { ifNoneMatch: tags('*') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await replica.policies.put('cart', ADAPTIVE, { ifMatch: tags('"1"') }, 'alice');
    await expect(replica.policies.put('cart', HALF, { ifMatch: tags('"1"') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    // A weak tag never matches under If-Match's strong comparison.
    await expect(replica.policies.put('cart', HALF, { ifMatch: tags('W/"2"') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(replica.policies.put('absent', HALF, { ifMatch: tags('*') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(replica.policies.delete('cart', { ifMatch: tags('"1"') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    expect((await replica.policies.get('cart')).policy).toEqual(ADAPTIVE);

    await replica.policies.delete('cart', { ifMatch: tags('"0", "2"') }, 'alice');
    const again = await replica.policies.put('cart', HALF, {}, 'alice');
    expect(again.stored.version).toBe(3);
    await expect(replica.policies.put('cart', HALF, { ifMatch: tags('"1"') }, 'alice')).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  /**
   * Another replica on PostgreSQL. On SQLite, replicas are processes of their own (and SQLite
   * is meant for one): two connections in this process would stall each other, since the
   * driver waits for a lock synchronously, so concurrency there is within one replica.
   */
  const otherReplica = async (): Promise<Replica> => (backend === 'postgres' ? place.replica() : replica);

  it('lets exactly one of several concurrent writers with the same If-Match win', async () => {
    await replica.policies.put('race', HALF, {}, 'alice');
    const other = await otherReplica();
    const writers = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? other : replica).policies.put('race', { mode: 'probabilistic', samplingRate: i / 100 }, { ifMatch: tags('"1"') }, `w${i}`),
    );
    const results = await Promise.allSettled(writers);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r) => r.status === 'rejected')) {
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    }
    const stored = await replica.policies.get('race');
    expect(stored.version).toBe(2);
    const audit = await replica.audit.page(10);
    expect(audit.items.map((e) => e.action)).toEqual(['replace', 'create']);
    expect(audit.items[0].actor).toBe(stored.updatedBy);
  });

  it('serializes concurrent unconditional writes and concurrent creates', async () => {
    const other = await otherReplica();
    const creates = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? other : replica).policies.put('new', HALF, { ifNoneMatch: tags('*') }, `c${i}`)),
    );
    expect(creates.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

    const writes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : replica).policies.put('new', { mode: 'probabilistic', samplingRate: i / 10 }, {}, `u${i}`),
      ),
    );
    expect(writes.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    const versions = writes.map((r) => (r as PromiseFulfilledResult<{ stored: { version: number } }>).value.stored.version);
    expect(new Set(versions).size).toBe(8);
    expect((await replica.policies.get('new')).version).toBe(9);
    // Every change left one entry, each chaining from the one before.
    const audit = (await replica.audit.page(50, undefined, 'new')).items.reverse();
    expect(audit.map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 1; i < audit.length; i++) expect(audit[i].before).toEqual(audit[i - 1].after);
  });

  it('writes an audit entry per change with actor, before and after, newest first in pages', async () => {
    await replica.policies.put('svc', HALF, {}, 'alice');
    await replica.policies.put('svc', ADAPTIVE, {}, 'bob');
    await replica.policies.put('other', LIMITED, {}, 'carol');
    await replica.policies.delete('svc', {}, 'dave');

    const first = await replica.audit.page(3);
    expect(first.items.map((e) => [e.action, e.service, e.actor, e.version])).toEqual([
      ['delete', 'svc', 'dave', 2],
      ['create', 'other', 'carol', 1],
      ['replace', 'svc', 'bob', 2],
    ]);
    expect(first.items[0]).toMatchObject({ before: ADAPTIVE, after: null });
    expect(first.items[2]).toMatchObject({ before: HALF, after: ADAPTIVE });
    expect(first.next).toBe(first.items[2].id);
    const second = await replica.audit.page(3, first.next);
    expect(second.items.map((e) => [e.action, e.actor, e.before, e.after])).toEqual([['create', 'alice', null, HALF]]);
    expect(second.next).toBeUndefined();
    expect((await replica.audit.page(10, undefined, 'svc')).items).toHaveLength(3);
  });

  it('refuses invalid policies at the service boundary and stores nothing', async () => {
    const bad = { mode: 'adaptive', operations: [{ operation: 'a', samplingRate: 0.1 }, { operation: 'b', samplingRate: 7 }] };
    await expect(replica.policies.put('svc', bad, {}, 'alice')).rejects.toMatchObject({
      field: 'operations[1].samplingRate',
    });
    await expect(replica.policies.put('', HALF, {}, 'alice')).rejects.toBeInstanceOf(FieldError);
    expect((await replica.policies.list(10, 0)).total).toBe(0);
    expect((await replica.audit.page(10)).items).toHaveLength(0);
  });

  it('stores hostile service names as data, and stays safe when given a 10 KB name', async () => {
    const names = [
      "'; DROP TABLE policies; --",
      "Robert'); DROP TABLE policy_audit;--",
      '"quoted" \\ back\\slash',
      'a/b/../../etc/passwd',
      '..\\..\\windows',
      '%2F%00%',
      '日本語のサービス',
      'emoji 🚀 svc',
      '*',
      'x'.repeat(256),
      '🚀'.repeat(256),
    ];
    for (const name of names) await replica.policies.put(name, HALF, {}, "o'neil");
    for (const name of names) expect((await replica.policies.get(name)).service).toBe(name);
    const listed = (await replica.policies.list(100, 0)).items.map((p) => p.service);
    expect([...listed].sort()).toEqual([...names].sort());
    expect((await replica.audit.page(100)).items.every((e) => e.actor === "o'neil")).toBe(true);

    const huge = 'x'.repeat(10 * 1024);
    await expect(replica.policies.put(huge, HALF, {}, 'alice')).rejects.toMatchObject({ field: 'service' });
    await expect(replica.policies.put('nul\u0000name', HALF, {}, 'alice')).rejects.toMatchObject({ field: 'service' });
    await expect(replica.policies.put('x'.repeat(257), HALF, {}, 'alice')).rejects.toMatchObject({ field: 'service' });
    // Below the validation, the statements bind the name as a value whatever its size.
    expect(await replica.database.run((m) => new PolicyRepository(m).find(huge))).toBeNull();
    expect(await replica.database.run((m) => new PolicyRepository(m).find("' OR '1'='1"))).toBeNull();
    expect((await replica.policies.list(100, 0)).total).toBe(names.length);
  });

  it('keeps everything across a restart, and migrations run once', async () => {
    await replica.policies.put('keep', ADAPTIVE, {}, 'alice');
    await replica.policies.put('keep', HALF, {}, 'bob');
    await place.closeAll();

    for (let start = 0; start < 2; start++) {
      const restarted = await place.replica();
      const kept = await restarted.policies.get('keep');
      expect(kept).toMatchObject({ version: 2, updatedBy: 'bob', policy: HALF });
      expect((await restarted.audit.page(10)).items).toHaveLength(2);
      const migrations = await restarted.database.run((m) => m.query('SELECT name FROM samplane_migrations'));
      expect(migrations).toHaveLength(1);
      // Loaded at start and handed to serving.
      expect(restarted.served.current.get('keep')).toEqual(HALF);
      await place.closeAll();
    }
  });

  it('applies a write locally at once and on other replicas through the announcement', async () => {
    const other = await place.replica();
    await replica.policies.put('live', HALF, {}, 'alice');
    expect(replica.served.current.get('live')).toEqual(HALF);
    await waitFor(() => other.served.current.get('live')?.samplingRate === 0.5, 'the other replica');
    await other.policies.delete('live', {}, 'alice');
    expect(other.served.current.has('live')).toBe(false);
    await waitFor(() => !replica.served.current.has('live'), 'the first replica to drop it');
  });
});
