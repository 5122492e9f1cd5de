import { type Fence, FencedOutError, type LeaderLease } from '../../src/store/leader-lease';
import type { SamplingStore } from '../../src/store/store';
import { snapshot } from './store-contract';

/** A lease and a store that checks fences against it, sharing one key prefix. */
export interface LeaseUnderTest {
  lease: LeaderLease;
  store: SamplingStore;
  /** Lets `ms` pass for the lease: a manual clock moves, or real time goes by. */
  elapse(ms: number): Promise<void>;
  /** Resolves once a lease taken with `ttlMs` has certainly lapsed. */
  lapse(ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export type MakeLease = (keyPrefix: string) => Promise<LeaseUnderTest>;

/** Long enough that no test outlives it by accident, even on a slow machine. */
const HELD_MS = 60_000;
/** Short enough to wait out in real time. */
export const SHORT_TTL_MS = 200;

/** Holder names that break any "holder|token" encoding split on the wrong separator. */
export const AWKWARD_HOLDERS: [string, string][] = [
  ['a|b', 'a'],
  ['a', 'a|b'],
  ['a|1', 'a'],
  ['a', 'a|1'],
  ['|', ''],
  ['', '|'],
  ['x|y|z', 'x|y'],
  ['line\nbreak', 'line'],
  ['"quoted"', 'quoted'],
  ['{"holder":"a"}', '{"holder":"b"}'],
  ['ünïcødé 🚀', 'ünïcødé'],
];

let prefixes = 0;

/**
 * What every LeaderLease promises the elector, and what every store's fenced save promises the
 * calculation: one holder at a time, a token that grows with every new holder, and no write
 * from a leader that has been replaced.
 */
export function describeLeaderLeaseContract(name: string, makeLease: MakeLease): void {
  describe(`${name}: the LeaderLease contract`, () => {
    const opened: LeaseUnderTest[] = [];
    let subject: LeaseUnderTest;
    let lease: LeaderLease;

    const open = async (keyPrefix: string): Promise<LeaseUnderTest> => {
      const made = await makeLease(keyPrefix);
      opened.push(made);
      return made;
    };

    beforeEach(async () => {
      prefixes += 1;
      subject = await open(`lease-contract-${process.pid}-${prefixes}:`);
      lease = subject.lease;
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((made) => made.close()));
    });

    it('gives the first holder a positive integer token', async () => {
      const token = await lease.acquireOrRenew('replica-a', HELD_MS);

      expect(Number.isSafeInteger(token)).toBe(true);
      expect(token).toBeGreaterThan(0);
    });

    it('refuses every other holder while it is held', async () => {
      await lease.acquireOrRenew('replica-a', HELD_MS);

      await expect(lease.acquireOrRenew('replica-b', HELD_MS)).resolves.toBeNull();
      await expect(lease.acquireOrRenew('replica-c', HELD_MS)).resolves.toBeNull();
      await expect(lease.acquireOrRenew('replica-b', HELD_MS)).resolves.toBeNull();
    });

    it('keeps the same token while the holder renews', async () => {
      const token = await lease.acquireOrRenew('replica-a', HELD_MS);

      for (let i = 0; i < 3; i++) await expect(lease.acquireOrRenew('replica-a', HELD_MS)).resolves.toBe(token);
    });

    it('extends the lease on renewal', async () => {
      // 40 % of the lease is the slack for a stalled test process (on real time against Redis).
      const ttlMs = 3_000;
      const token = await lease.acquireOrRenew('replica-a', ttlMs);
      await subject.elapse(0.6 * ttlMs);
      await expect(lease.acquireOrRenew('replica-a', ttlMs)).resolves.toBe(token);

      // Past the first term's end, inside the renewed one.
      await subject.elapse(0.6 * ttlMs);

      await expect(lease.acquireOrRenew('replica-b', ttlMs)).resolves.toBeNull();
      await expect(lease.acquireOrRenew('replica-a', ttlMs)).resolves.toBe(token);
    });

    it('goes to another holder with a greater token once it lapses', async () => {
      const first = await lease.acquireOrRenew('replica-a', SHORT_TTL_MS);

      await subject.lapse(SHORT_TTL_MS);
      const second = await lease.acquireOrRenew('replica-b', HELD_MS);

      expect(second).toBeGreaterThan(first!);
      await expect(lease.acquireOrRenew('replica-a', HELD_MS)).resolves.toBeNull();
    });

    it('gives a new, greater token to a holder taking it again after it lapsed', async () => {
      const first = await lease.acquireOrRenew('replica-a', SHORT_TTL_MS);

      await subject.lapse(SHORT_TTL_MS);

      await expect(lease.acquireOrRenew('replica-a', HELD_MS)).resolves.toBeGreaterThan(first!);
    });

    it('frees it at once on release by the holder', async () => {
      const first = await lease.acquireOrRenew('replica-a', HELD_MS);

      await lease.release('replica-a');

      const second = await lease.acquireOrRenew('replica-b', HELD_MS);
      expect(second).toBeGreaterThan(first!);
    });

    it('ignores a release by anyone but the holder', async () => {
      const token = await lease.acquireOrRenew('replica-a', HELD_MS);

      await lease.release('replica-b');

      await expect(lease.acquireOrRenew('replica-b', HELD_MS)).resolves.toBeNull();
      await expect(lease.acquireOrRenew('replica-a', HELD_MS)).resolves.toBe(token);
    });

    it('ignores a release when nobody holds it', async () => {
      await expect(lease.release('replica-a')).resolves.toBeUndefined();

      await expect(lease.acquireOrRenew('replica-a', HELD_MS)).resolves.toEqual(expect.any(Number));
    });

    it('ignores a late release by a holder whose lease lapsed and went to another', async () => {
      await lease.acquireOrRenew('replica-a', SHORT_TTL_MS);
      await subject.lapse(SHORT_TTL_MS);
      const token = await lease.acquireOrRenew('replica-b', HELD_MS);

      await lease.release('replica-a');

      await expect(lease.acquireOrRenew('replica-c', HELD_MS)).resolves.toBeNull();
      await expect(lease.acquireOrRenew('replica-b', HELD_MS)).resolves.toBe(token);
    });

    it('hands out strictly increasing tokens over many successions', async () => {
      const tokens: number[] = [];
      for (const holder of ['a', 'b', 'a', 'c', 'b']) {
        const token = await lease.acquireOrRenew(holder, HELD_MS);
        tokens.push(token!);
        await lease.release(holder);
      }

      expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    it('keeps leases with different key prefixes apart', async () => {
      const other = (await open(`lease-contract-${process.pid}-${prefixes}-other:`)).lease;
      await lease.acquireOrRenew('replica-a', HELD_MS);

      await expect(other.acquireOrRenew('replica-b', HELD_MS)).resolves.toEqual(expect.any(Number));
    });

    it.each(AWKWARD_HOLDERS)('tells holder %j from holder %j', async (holder, lookalike) => {
      const token = await lease.acquireOrRenew(holder, HELD_MS);
      expect(token).toEqual(expect.any(Number));

      await expect(lease.acquireOrRenew(lookalike, HELD_MS)).resolves.toBeNull();
      await lease.release(lookalike);
      await expect(lease.acquireOrRenew(holder, HELD_MS)).resolves.toBe(token);

      await lease.release(holder);
      await expect(lease.acquireOrRenew(lookalike, HELD_MS)).resolves.toBeGreaterThan(token!);
    });

    describe('fenced saves', () => {
      const fenceOf = async (holder: string, ttlMs = HELD_MS): Promise<Fence> => {
        const token = await lease.acquireOrRenew(holder, ttlMs);
        if (token === null) throw new Error(`${holder} could not take the lease`);
        return { holder, token };
      };

      /** The save is refused as fenced out, and the stored snapshot is left as it was. */
      const expectFencedOut = async (fence: Fence): Promise<void> => {
        const before = await subject.store.loadProbabilities();

        await expect(subject.store.saveProbabilities(snapshot(99), fence)).rejects.toBeInstanceOf(FencedOutError);

        await expect(subject.store.probabilitiesVersion()).resolves.toBe(before?.version ?? 0);
        await expect(subject.store.loadProbabilities()).resolves.toEqual(before);
      };

      it("writes with the current holder's fence", async () => {
        const fence = await fenceOf('replica-a');

        await expect(subject.store.saveProbabilities(snapshot(1), fence)).resolves.toBe(1);
        await expect(subject.store.saveProbabilities(snapshot(2), fence)).resolves.toBe(2);
        await expect(subject.store.loadProbabilities()).resolves.toEqual({ version: 2, ...snapshot(2) });
      });

      it('keeps writing across renewals', async () => {
        const fence = await fenceOf('replica-a');
        await subject.store.saveProbabilities(snapshot(1), fence);

        await lease.acquireOrRenew('replica-a', HELD_MS);

        await expect(subject.store.saveProbabilities(snapshot(2), fence)).resolves.toBe(2);
      });

      it('refuses a leader that was replaced after its lease lapsed', async () => {
        const stale = await fenceOf('replica-a', SHORT_TTL_MS);
        await subject.store.saveProbabilities(snapshot(1), stale);
        await subject.lapse(SHORT_TTL_MS);
        const current = await fenceOf('replica-b');

        await expectFencedOut(stale);
        await expect(subject.store.saveProbabilities(snapshot(2), current)).resolves.toBe(2);
      });

      it('refuses the calculator state of a leader replaced after it saved its snapshot: a new leader finds none of it', async () => {
        const stale = await fenceOf('replica-a', SHORT_TTL_MS);
        const saved = snapshot(1);
        const version = await subject.store.saveProbabilities(saved, stale);
        await subject.lapse(SHORT_TTL_MS);
        await fenceOf('replica-b');
        const rows = { ops: ['GET /cart'], numbers: Float64Array.of(0.5, 2), flags: Uint8Array.of(1) };
        const state = { layout: 'test/1 2x1', buckets: 1, of: () => rows };

        const save = { version, computedAt: saved.computedAt, dataThrough: saved.computedAt, services: Object.keys(saved.probabilities), state };
        await expect(subject.store.saveState(save, stale)).rejects.toBeInstanceOf(FencedOutError);
        const taken = jest.fn();
        await expect(subject.store.loadState({ layout: state.layout, accepts: () => true }, taken)).resolves.toBeUndefined();
        expect(taken).not.toHaveBeenCalled();
      });

      it('refuses a stale token of the holder that took the lease again', async () => {
        const stale = await fenceOf('replica-a', SHORT_TTL_MS);
        await subject.lapse(SHORT_TTL_MS);
        const current = await fenceOf('replica-a');
        expect(current.token).not.toBe(stale.token);

        await expectFencedOut(stale);
        await expect(subject.store.saveProbabilities(snapshot(1), current)).resolves.toBe(1);
      });

      it('refuses a leader whose lease lapsed even if nobody took it', async () => {
        const stale = await fenceOf('replica-a', SHORT_TTL_MS);

        await subject.lapse(SHORT_TTL_MS);

        await expectFencedOut(stale);
      });

      it('refuses a fence after its holder released the lease', async () => {
        const fence = await fenceOf('replica-a');
        await subject.store.saveProbabilities(snapshot(1), fence);

        await lease.release('replica-a');

        await expectFencedOut(fence);
      });

      it('refuses a fence naming another holder, or another token', async () => {
        const fence = await fenceOf('replica-a');

        await expectFencedOut({ holder: 'replica-b', token: fence.token });
        await expectFencedOut({ holder: 'replica-a', token: fence.token + 1 });
        await expectFencedOut({ holder: 'replica-a', token: fence.token - 1 });
      });

      it('refuses any fence while nobody ever held the lease', async () => {
        await expectFencedOut({ holder: 'replica-a', token: 1 });
      });

      it.each(AWKWARD_HOLDERS)('fences holder %j apart from holder %j', async (holder, lookalike) => {
        const fence = await fenceOf(holder);

        await expectFencedOut({ holder: lookalike, token: fence.token });
        await expect(subject.store.saveProbabilities(snapshot(1), fence)).resolves.toBe(1);
      });

      it('always writes without a fence, whoever holds the lease', async () => {
        await expect(subject.store.saveProbabilities(snapshot(1))).resolves.toBe(1);
        await fenceOf('replica-a');

        await expect(subject.store.saveProbabilities(snapshot(2))).resolves.toBe(2);
        await expect(subject.store.loadProbabilities()).resolves.toEqual({ version: 2, ...snapshot(2) });
      });
    });
  });
}
