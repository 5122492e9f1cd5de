import { MemoryLeaderLease } from '../../src/store/memory/memory-leader-lease';
import { MemoryStore } from '../../src/store/memory/memory.store';
import { describeLeaderLeaseContract } from './leader-lease-contract';

// A manual clock: expiry is tested without waiting, and exactly.
describeLeaderLeaseContract('MemoryLeaderLease with MemoryStore', () => {
  let now = 1_767_225_600_000;
  const lease = new MemoryLeaderLease({ now: () => now });
  const advance = (ms: number): Promise<void> => {
    now += ms;
    return Promise.resolve();
  };
  return Promise.resolve({
    lease,
    store: new MemoryStore(lease),
    elapse: advance,
    lapse: advance,
    close: () => Promise.resolve(),
  });
});

describe('MemoryLeaderLease expiry', () => {
  it('holds until the last millisecond of its TTL and lapses at it', async () => {
    let now = 0;
    const lease = new MemoryLeaderLease({ now: () => now });
    const token = await lease.acquireOrRenew('replica-a', 1_000);

    now = 999;
    await expect(lease.acquireOrRenew('replica-b', 1_000)).resolves.toBeNull();
    expect(lease.holds('replica-a', token!)).toBe(true);

    now = 1_000;
    expect(lease.holds('replica-a', token!)).toBe(false);
    await expect(lease.acquireOrRenew('replica-b', 1_000)).resolves.toBe(token! + 1);
  });
});
