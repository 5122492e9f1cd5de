import { type Fence, FencedOutError } from '../leader-lease';
import type { NewProbabilities, ProbabilitiesSnapshot, SamplingStore } from '../store';
import type { MemoryLeaderLease } from './memory-leader-lease';

/**
 * The embedded store for a single replica (`npm start` without REDIS_URL). Snapshots are
 * copied in and out so callers can never mutate what another caller reads, as with Redis.
 */
export class MemoryStore implements SamplingStore {
  readonly kind = 'memory';
  private snapshot: ProbabilitiesSnapshot | null = null;

  constructor(private readonly lease?: MemoryLeaderLease) {}

  loadProbabilities(): Promise<ProbabilitiesSnapshot | null> {
    return Promise.resolve(this.snapshot ? structuredClone(this.snapshot) : null);
  }

  probabilitiesVersion(): Promise<number> {
    return Promise.resolve(this.snapshot?.version ?? 0);
  }

  saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    if (fence && this.lease && !this.lease.holds(fence.holder, fence.token)) {
      return Promise.reject(new FencedOutError(fence.holder));
    }
    const version = (this.snapshot?.version ?? 0) + 1;
    this.snapshot = { ...structuredClone(snapshot), version };
    return Promise.resolve(version);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  onReconnect(): void {
    // Never disconnected.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
