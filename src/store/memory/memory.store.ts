import { type Fence, FencedOutError } from '../leader-lease';
import type { CalculationInputs, OperationInputs, SavedRows, SavedState } from '../../sampling/calculator';
import type { NewProbabilities, OperationTraffic, ProbabilitiesSnapshot, SamplingStore, StateWanted } from '../store';
import { dictionary, own } from '../../sampling/dictionary';
import { type ServiceInputs, inputRecords, qpsRecords } from '../../sampling/input-columns';
import { trafficRecords } from '../traffic-columns';
import type { RecordedExplanation } from '../explanation-codec';
import type { MemoryLeaderLease } from './memory-leader-lease';

/**
 * The embedded store for a single replica (`npm start` without REDIS_URL). Snapshots are
 * copied in and out so callers can never mutate what another caller reads, as with Redis.
 */
export class MemoryStore implements SamplingStore {
  readonly kind = 'memory';
  /** Inputs are kept as objects: what is cloned out must be what a caller can read. */
  private snapshot: (Omit<ProbabilitiesSnapshot, 'version'> & {
    inputs?: CalculationInputs;
    traffic?: Record<string, Record<string, OperationTraffic>>;
    version: number;
  }) | null = null;

  /** The snapshot's saved calculator state, service by service. */
  private state: { layout: string; buckets: number; services: Map<string, SavedRows> } | undefined;

  constructor(private readonly lease?: MemoryLeaderLease) {}

  loadProbabilities(): Promise<ProbabilitiesSnapshot | null> {
    if (!this.snapshot) return Promise.resolve(null);
    const { traffic: _traffic, inputs: _inputs, ...served } = this.snapshot;
    return Promise.resolve(structuredClone(served));
  }

  loadExplanations(services?: readonly string[]): Promise<Map<string, RecordedExplanation>> {
    const found = new Map<string, RecordedExplanation>();
    const { traffic = {}, inputs = {} } = this.snapshot ?? {};
    for (const service of services ?? new Set([...Object.keys(traffic), ...Object.keys(inputs)])) {
      const seen = own(traffic, service);
      const why = own(inputs, service);
      if (seen || why) found.set(service, structuredClone({ traffic: seen ?? dictionary(), inputs: why ?? dictionary() }));
    }
    return Promise.resolve(found);
  }

  loadInputs(): Promise<Record<string, ServiceInputs>> {
    return Promise.resolve(structuredClone(this.snapshot?.inputs ?? dictionary<Record<string, OperationInputs>>()));
  }

  loadState(wanted: StateWanted, take: (service: string, rows: SavedRows) => void): Promise<number | undefined> {
    const saved = this.state;
    if (!saved || saved.layout !== wanted.layout || this.snapshot?.computedAt !== wanted.computedAt) return Promise.resolve(undefined);
    for (const [service, rows] of saved.services) take(service, structuredClone(rows));
    return Promise.resolve(saved.buckets);
  }

  probabilitiesVersion(): Promise<number> {
    return Promise.resolve(this.snapshot?.version ?? 0);
  }

  saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    if (fence && this.lease && !this.lease.holds(fence.holder, fence.token)) {
      return Promise.reject(new FencedOutError(fence.holder));
    }
    const version = (this.snapshot?.version ?? 0) + 1;
    const inputs = snapshot.inputs && inputRecords(snapshot.inputs);
    const traffic = snapshot.traffic && trafficRecords(snapshot.traffic);
    const qps = snapshot.qps && qpsRecords(snapshot.qps);
    const { inputs: _inputs, traffic: _traffic, qps: _qps, ...rest } = snapshot;
    const { state, ...served } = rest;
    this.snapshot = { ...structuredClone({ ...served, ...(qps && { qps }), ...(inputs && { inputs }), ...(traffic && { traffic }) }), version };
    this.state = state && { layout: state.layout, buckets: state.buckets, services: savedServices(state, Object.keys(snapshot.probabilities)) };
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

/** The saved rows of the snapshot's services that have any, read now (the calculator's state moves on). */
function savedServices(state: SavedState, services: string[]): Map<string, SavedRows> {
  const saved = new Map<string, SavedRows>();
  for (const service of services) {
    const rows = state.of(service);
    if (rows) saved.set(service, structuredClone(rows));
  }
  return saved;
}
