import { MemoryStore } from '../../src/store/memory/memory.store';
import { describeStoreContract } from './store-contract';

// The embedded store has no key space to share: each instance is its own store.
describeStoreContract('MemoryStore', () => Promise.resolve(new MemoryStore()));
