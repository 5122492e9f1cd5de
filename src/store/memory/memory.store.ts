import type { NewProbabilities, ProbabilitiesSnapshot, SamplingStore } from '../store';

/**
 * The embedded store for a single replica (`npm start` without REDIS_URL). Snapshots are
 * copied in and out so callers can never mutate what another caller reads, as with Redis.
 */
export class MemoryStore implements SamplingStore {
  readonly kind = 'memory';
  private snapshot: ProbabilitiesSnapshot | null = null;

  loadProbabilities(): Promise<ProbabilitiesSnapshot | null> {
    return Promise.resolve(this.snapshot ? structuredClone(this.snapshot) : null);
  }

  probabilitiesVersion(): Promise<number> {
    return Promise.resolve(this.snapshot?.version ?? 0);
  }

  saveProbabilities(snapshot: NewProbabilities): Promise<number> {
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
