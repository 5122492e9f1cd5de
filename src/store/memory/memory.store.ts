import { type Fence, FencedOutError } from '../leader-lease';
import type { CalculationInputs, OperationInputs, SavedRows, SavedState } from '../../sampling/calculator';
import type { FoundState, NewProbabilities, OperationTraffic, ProbabilitiesSnapshot, SamplingStore, StateToSave, StateWanted } from '../store';
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

  /** The last saved calculator state, service by service, and the snapshot it goes with. */
  private state: (FoundState & { layout: string; services: Map<string, SavedRows> }) | undefined;

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

  async loadState(wanted: StateWanted, take: (service: string, rows: SavedRows) => void): Promise<FoundState | undefined> {
    const saved = this.state;
    if (!saved || saved.layout !== wanted.layout) return undefined;
    const found = { computedAt: saved.computedAt, dataThrough: saved.dataThrough, buckets: saved.buckets };
    if (!(await wanted.accepts(found))) return undefined;
    for (const [service, rows] of saved.services) take(service, structuredClone(rows));
    return found;
  }

  probabilitiesVersion(): Promise<number> {
    return Promise.resolve(this.snapshot?.version ?? 0);
  }

  saveProbabilities(snapshot: NewProbabilities, fence?: Fence): Promise<number> {
    if (this.fencedOut(fence)) return Promise.reject(new FencedOutError(fence!.holder));
    const version = (this.snapshot?.version ?? 0) + 1;
    const inputs = snapshot.inputs && inputRecords(snapshot.inputs);
    const traffic = snapshot.traffic && trafficRecords(snapshot.traffic);
    const qps = snapshot.qps && qpsRecords(snapshot.qps);
    const { inputs: _inputs, traffic: _traffic, qps: _qps, ...served } = snapshot;
    this.snapshot = { ...structuredClone({ ...served, ...(qps && { qps }), ...(inputs && { inputs }), ...(traffic && { traffic }) }), version };
    return Promise.resolve(version);
  }

  saveState({ version, computedAt, dataThrough, services, state }: StateToSave, fence?: Fence): Promise<boolean> {
    if (this.fencedOut(fence)) return Promise.reject(new FencedOutError(fence!.holder));
    if (this.snapshot?.version !== version) return Promise.resolve(false);
    this.state = { computedAt, dataThrough, layout: state.layout, buckets: state.buckets, services: savedServices(state, services) };
    return Promise.resolve(true);
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

  private fencedOut(fence: Fence | undefined): boolean {
    return fence !== undefined && this.lease !== undefined && !this.lease.holds(fence.holder, fence.token);
  }
}

/** The saved rows of the snapshot's services that have any, read now (the calculator's state moves on). */
function savedServices(state: SavedState, services: readonly string[]): Map<string, SavedRows> {
  const saved = new Map<string, SavedRows>();
  for (const service of services) {
    const rows = state.of(service);
    if (rows) saved.set(service, structuredClone(rows));
  }
  return saved;
}
