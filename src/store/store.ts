import type { TimeSlicer } from '../common/time-slicer';
import type { ServiceInputs, ServiceQps } from '../sampling/input-columns';
import type { ServiceTraffic } from './traffic-columns';
import type { RecordedExplanation } from './explanation-codec';
import type { Fence } from './leader-lease';
import type { SavedRows, SavedState } from '../sampling/calculator';

/**
 * The state replicas share. Serving never awaits it on a poll: replicas copy what they need
 * into memory and keep answering from that copy whatever happens to the store.
 */
export interface ProbabilitiesSnapshot {
  /** Increases by one on every save; replicas compare it to skip rebuilding. */
  version: number;
  /** When the leader computed it (epoch ms). */
  computedAt: number;
  /** service → operation → probability. */
  probabilities: Record<string, Record<string, number>>;
  /**
   * service → operation → the QPS each probability was computed from: for a service over the
   * operation cap (before format 4 and in a test's snapshot, for every service).
   */
  qps?: Record<string, Record<string, number>>;
  /** service → requests per second of its X-Ray service rule's fleet (absent before format 4). */
  fleetRequests?: Record<string, number>;
  /** End of the newest throughput the calculation used (epoch ms): where a new leader resumes. */
  dataThrough?: number;
  /** service → its totals in the newest bucket, for overviews that list every service. */
  summaries?: Record<string, TrafficSummary>;
}

/** One service's traffic in the newest bucket, summed over its operations. */
export interface TrafficSummary {
  /** Operations with traffic in the newest bucket. */
  operations: number;
  requestsPerSecond: number;
  sampledPerSecond: number;
  errorsPerSecond: number;
  /** Operations boosted for errors, sorted. */
  boosted: string[];
}

export interface OperationTraffic {
  requestsPerSecond: number;
  sampledPerSecond: number;
  /** Errors per second: exact from reports, scaled like requests from sampled spans. */
  errorsPerSecond?: number;
  /** Errors per request (0 when no requests were counted). */
  errorRate: number;
}

/**
 * What a calculation saves: the served part, and the explanations (which every replica does not
 * need, so they are loaded a service at a time with `loadExplanations`).
 */
export type NewProbabilities = Omit<ProbabilitiesSnapshot, 'version' | 'qps'> & {
  /** service → the QPS each probability was computed from, as records or input columns. */
  qps?: Record<string, ServiceQps>;
  /** What the newest bucket showed per operation, for the explanation views. */
  traffic?: Record<string, ServiceTraffic>;
  /** The inputs behind each probability, for the explanation views and a new leader. */
  inputs?: Record<string, ServiceInputs>;
};

/** The calculator's state after a calculation, saved once its snapshot is: for a new leader to continue from. */
export interface StateToSave {
  /** The snapshot it goes with: the version `saveProbabilities` returned, its computedAt and dataThrough. */
  version: number;
  computedAt: number;
  dataThrough: number;
  /** The services whose rows are saved: the snapshot's. */
  services: readonly string[];
  /** Read while saving (the calculator's next calculation must wait for it). */
  state: SavedState;
}

/** A saved state as a new leader finds it: which snapshot it goes with, and the buckets it stands for. */
export interface FoundState {
  computedAt: number;
  dataThrough: number;
  /** See `SavedState.buckets`. */
  buckets: number;
}

/**
 * Which saved state a new leader can take up: of its calculator's layout, and one it accepts
 * (the state of the snapshot it restored, or of one before it that its kept intervals reach).
 */
export interface StateWanted {
  layout: string;
  accepts(found: FoundState): boolean | Promise<boolean>;
}

export interface SamplingStore {
  readonly kind: 'memory' | 'redis';
  /** The newest snapshot's served part, or null when nothing was ever computed. */
  loadProbabilities(slicer?: TimeSlicer): Promise<ProbabilitiesSnapshot | null>;
  /** The newest snapshot's explanations of `services` (of every service when omitted). */
  loadExplanations(services?: readonly string[]): Promise<Map<string, RecordedExplanation>>;
  /**
   * The newest snapshot's calculation inputs of every service, for a new leader to continue
   * from: as columns where the store keeps them so, a large fleet's without an object each.
   */
  loadInputs(): Promise<Record<string, ServiceInputs>>;
  /**
   * The last saved calculator state, a service at a time to `take`, where it is of
   * `wanted.layout` and `wanted` accepts it (asked before anything is taken); resolves to what
   * was found. Undefined, nothing taken, otherwise; rejects where a read fails (or `accepts`
   * does), possibly after taking some services.
   */
  loadState(wanted: StateWanted, take: (service: string, rows: SavedRows) => void, slicer?: TimeSlicer): Promise<FoundState | undefined>;
  /** The version alone: a cheap check before loading the whole snapshot. 0 when none. */
  probabilitiesVersion(): Promise<number>;
  /**
   * Stores a snapshot under the next version and returns that version. With a fence, the
   * write happens only if that holder still has the leader lease (else `FencedOutError`).
   */
  saveProbabilities(snapshot: NewProbabilities, fence?: Fence, slicer?: TimeSlicer): Promise<number>;
  /**
   * Saves the calculator state that goes with a snapshot already saved, replacing the last one
   * saved. False, nothing kept, where a newer snapshot was saved meanwhile (its state would not
   * be of it); with a fence, `FencedOutError` where that holder has lost the lease.
   */
  saveState(save: StateToSave, fence?: Fence, slicer?: TimeSlicer): Promise<boolean>;
  /** Resolves when the store answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** Calls back when the connection comes back, so callers can catch up without waiting. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export const SAMPLING_STORE = Symbol('SAMPLING_STORE');

/** The store is unreachable or too slow; callers keep their last known state. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
