import type { ErrorBoostRule, ErrorInputs } from './samplane/error-boost';
import type { PackedBucket } from './packed-bucket';
import type { ThroughputBucket } from './throughput';
import type { TimeSlicer } from '../common/time-slicer';
import type { InputColumns, ServiceInputs, ServiceQps } from './input-columns';

/** service → operation → value. */
export type Probabilities = Record<string, Record<string, number>>;

/** Why an operation got its probability: the inputs of the calculation that produced it. */
export interface OperationInputs {
  /** The probability before this calculation. */
  previous: number;
  /** Sampled traces/s aimed at; for a budgeted service (`samplane`), the operation's fair share. */
  target: number;
  /** Whether its clients were seen applying the served probability. */
  adaptive: boolean;
  withinTolerance: boolean;
  /** Sampled traces per second at `previous`, as the calculation estimated it. */
  qps?: number;
  /** `samplane`: the estimated request rate (all requests, sampled or not) per second. */
  requestRate?: number;
  /** `samplane`: the service budget (sampled traces/s) this operation shares, if any. */
  budget?: number;
  /**
   * `samplane`: set while the service has more operations than `maxOperations`: the one target
   * (sampled traces/s) its quiet operations share, of which `target` is this one's part.
   */
  sharedTarget?: number;
  /**
   * `samplane`: how the request rate was estimated: first sight of the operation, smoothed
   * (the newest bucket was within noise), step (it was not, so the newest bucket was taken),
   * resumed (first bucket after a quiet spell, judged partial), awaiting (no requests soon
   * after a delivery: the next one is waited for) or idle (no requests: the previous
   * probability is kept).
   */
  estimate?: 'first' | 'smoothed' | 'step' | 'resumed' | 'awaiting' | 'idle';
  /** `samplane`: the operation's errors against its baseline, and its error boost while boosted. */
  errors?: ErrorInputs;
}

export interface CalculationResult {
  probabilities: Probabilities;
  /**
   * service → the QPS each probability was computed from (sampled traces per second): a record,
   * or the calculation's input columns (valid as long as `lastInputColumns`).
   */
  qps: Record<string, ServiceQps>;
}

export type CalculationInputs = Record<string, Record<string, OperationInputs>>;

/** An operator's adjustments for one operation (from a policy); undefined fields keep the defaults. */
export interface OperationSettings {
  targetSamplesPerSecond?: number;
  minSamplingProbability?: number;
  maxSamplingProbability?: number;
  /**
   * A whole service's budget in sampled traces per second, the same value for every operation
   * of the service. `samplane` shares it among the service's operations instead of giving each
   * its own target; `jaeger` has no such notion and ignores it.
   */
  budgetTracesPerSecond?: number;
  /** `samplane`: `false` turns the error boost off; fields given replace the engine's defaults. */
  errorBoost?: false | Partial<Omit<ErrorBoostRule, 'enabled'>>;
}

/** What a new leader continues from besides the probabilities: the last calculation's inputs. */
export interface RestoredInputs {
  /**
   * By service, as columns or objects; `samplane` reads columns until its first calculation,
   * so they must not change before it (not another calculator's reused `lastInputColumns`).
   */
  inputs: Record<string, ServiceInputs>;
  /** Seconds between that calculation and now. */
  elapsedSeconds: number;
}

export type OperationSettingsResolver = (service: string, operation: string) => OperationSettings | undefined;

/** One service's per-operation state as saved: a row of numbers and a row of bytes per operation, in `ops` order. */
export interface SavedRows {
  ops: string[];
  numbers: Float64Array;
  flags: Uint8Array;
}

/**
 * A calculator's state after its last calculation, service by service, read while the snapshot
 * is saved (before the next calculation changes it).
 */
export interface SavedState {
  /** What the rows hold and how wide they are: a calculator restores only the layout it writes. */
  layout: string;
  /**
   * How many buckets the term that saved it had taken in (its history and calculations): a new
   * leader that takes the state up goes on counting from there, as if it had folded them.
   */
  buckets: number;
  /** How long a new leader could still take it up (the store may let it go after); the store's default where absent. */
  keepMs?: number;
  /** The service's rows; undefined where the calculator holds none of it. */
  of(service: string): SavedRows | undefined;
}

export interface CalculatorState {
  readonly layout: string;
  /** The state to save with the calculation just made, by a term that has taken in `buckets` buckets. */
  saved(buckets: number): SavedState;
  /**
   * Takes one service's saved rows up, after `restore` and before any bucket; false (nothing
   * taken) where they are not of its layout's shape.
   */
  restoreService(service: string, rows: SavedRows): boolean;
}

/**
 * One adaptive algorithm: throughput buckets in, per-operation probabilities out. Pure and
 * synchronous; the scheduler, the store and leadership live around it.
 */
export interface AdaptiveCalculator {
  readonly algorithm: 'jaeger' | 'samplane';
  /** What a bucket's `count` must hold: sampled root spans, or all requests. */
  readonly counts: 'sampled' | 'requests';
  /** Whether it reads a bucket's `recent` part (worth reading the store for). */
  readonly usesRecentPart: boolean;
  /** Whether it reads probabilities lists; if not, reads keep only each one's lowest probability (`PACKED.lowest`). */
  readonly readsProbabilityLists: boolean;
  /** Seeds the last computed probabilities (a new leader continues from them, never from the initial value). */
  restore(probabilities: Probabilities, inputs?: RestoredInputs): void;
  /** Prepends one bucket (keeps at most aggregationBuckets). Followers may call it too. */
  addBucket(bucket: ThroughputBucket | PackedBucket): void;
  /**
   * Present where a calculator folds buckets into state rather than keeping a window: takes a
   * new leader's history a bucket at a time, oldest first, before the term's first calculation,
   * so the history is never held whole. Without it the history goes to `addBucket`.
   */
  foldHistory?(bucket: ThroughputBucket | PackedBucket, slicer: TimeSlicer): Promise<void>;
  /**
   * Present where state ages with time as well as with counts: `seconds` between the last
   * bucket and the next that no bucket covers (their counts expired unread), which a boost's
   * cooldown counts as it would a bucket's.
   */
  unread?(seconds: number): void;
  /**
   * Present where a calculator keeps per-operation state between calculations: saved with each
   * snapshot, it lets a new leader continue from it instead of folding the kept history.
   */
  readonly state?: CalculatorState;
  /** One leader calculation over the buckets held. */
  calculate(): CalculationResult;
  /** The same calculation, giving the event loop a turn whenever a slice is used up. */
  calculateInSlices(slicer: TimeSlicer): Promise<CalculationResult>;
  /** Per-operation targets and bounds from operator policies, read at every calculation. */
  useSettings(resolver: OperationSettingsResolver): void;
  /** The inputs behind each probability of the last calculation, for the explanation view. */
  lastInputs(): CalculationInputs;
  /**
   * The same as columns, service by service: what a calculation saves, without an object per
   * operation. Valid until the next calculation, which may reuse their memory.
   */
  lastInputColumns(): Record<string, InputColumns>;
  /**
   * service → operations the last calculation left out because the service had more than
   * `maxOperations`; services that lost none are absent.
   */
  droppedOperations(): Record<string, number>;
}
