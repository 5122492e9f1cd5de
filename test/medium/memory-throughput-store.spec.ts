import { MemoryThroughputStore } from '../../src/store/memory/memory-throughput.store';
import { BASE, SLOT_MS, counted, describeThroughputStoreContract } from './throughput-store-contract';

// The embedded store has no key space to share: each instance is its own store.
describeThroughputStoreContract('MemoryThroughputStore', ({ slotMs, retentionMs, maxWindowMs }) =>
  Promise.resolve({ store: new MemoryThroughputStore(slotMs, retentionMs, maxWindowMs), close: () => Promise.resolve() }),
);

describe('MemoryThroughputStore retention', () => {
  it('drops slots older than the retention before the newest flush, and keeps the rest', async () => {
    const retentionMs = 3 * SLOT_MS;
    const store = new MemoryThroughputStore(SLOT_MS, retentionMs);
    await store.flush('replica-a', BASE, [counted('A', 'old', 1)]);
    await store.flush('replica-a', BASE + SLOT_MS, [counted('A', 'kept', 1)]);

    await store.flush('replica-a', BASE + retentionMs + SLOT_MS - 1, []);

    await expect(store.read(BASE, BASE + 10 * SLOT_MS)).resolves.toEqual([counted('A', 'kept', 1)]);
  });
});
