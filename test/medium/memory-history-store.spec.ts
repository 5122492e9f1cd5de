import { MemoryHistoryStore } from '../../src/store/memory/memory-history.store';
import { describeHistoryStoreContract } from './history-store-contract';

describeHistoryStoreContract('MemoryHistoryStore', (_prefix, bounds) => Promise.resolve(new MemoryHistoryStore(bounds)));

describe('MemoryHistoryStore retention', () => {
  it('forgets a service no longer written once its retention has passed', async () => {
    const store = new MemoryHistoryStore({ points: 3, operations: 2, services: 10, retentionMs: 10_000 });
    const point = { at: 0, requestsPerSecond: 1, sampledPerSecond: 1, expectedSampledPerSecond: 1, operations: [] };
    const record = { durationMs: 1, replica: 'r', version: 1, algorithm: 'samplane', services: 1, operations: 0 };
    await store.record(new Map([['gone', point], ['kept', point]]), { ...record, at: 0 });
    await store.record(new Map([['kept', { ...point, at: 10_000 }]]), { ...record, at: 10_000 });
    expect(await store.read('gone')).toHaveLength(1);
    await store.record(new Map([['kept', { ...point, at: 10_001 }]]), { ...record, at: 10_001 });
    expect(await store.read('gone')).toEqual([]);
    expect(await store.read('kept')).toHaveLength(3);
  });
});
