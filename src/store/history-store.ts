import type { TimeSlicer } from '../common/time-slicer';
/**
 * Recent calculations, for the dashboard's charts: per service, the last points the leader
 * wrote, each with its busiest operations. Shared like the snapshot, so every replica shows
 * the same history. Bounded three ways (see HISTORY_BOUNDS) so a large fleet cannot grow it.
 */
export interface OperationPoint {
  operation: string;
  /** The probability the engine computed for it. */
  probability: number;
  requestsPerSecond: number;
  sampledPerSecond: number;
  errorRate: number;
}

export interface ServicePoint {
  /** When the leader computed it (epoch ms). */
  at: number;
  requestsPerSecond: number;
  /** Sampled traces/s seen in the bucket. */
  sampledPerSecond: number;
  /** Sampled traces/s the computed probabilities yield at the bucket's request rates. */
  expectedSampledPerSecond: number;
  /** The service's budget (sampled traces/s), when a policy sets one. */
  budgetTracesPerSecond?: number;
  /** What the engine aimed at for the whole service: the sum of its operations' targets. */
  targetSamplesPerSecond?: number;
  /** The busiest operations, at most `HISTORY_BOUNDS.operations`. */
  operations: OperationPoint[];
}

/** The newest calculation, whichever replica led it. */
export interface CalculationRecord {
  at: number;
  durationMs: number;
  replica: string;
  version: number;
  algorithm: string;
  services: number;
  operations: number;
}

export interface HistoryStore {
  /**
   * Appends one point per service, keeping each service's newest `points`, and the calculation;
   * encoding them yields to `slicer` (a large fleet's points take tens of ms).
   */
  record(points: ReadonlyMap<string, ServicePoint>, calculation: CalculationRecord, slicer?: TimeSlicer): Promise<void>;
  /** A service's points, oldest first; empty when none are kept. */
  read(service: string): Promise<ServicePoint[]>;
  lastCalculation(): Promise<CalculationRecord | null>;
}

export const HISTORY_STORE = Symbol('HISTORY_STORE');

export interface HistoryBounds {
  /** Points kept per service. */
  points: number;
  /** Operations kept per point: the busiest by request rate. */
  operations: number;
  /** Services written per calculation: the busiest by request rate. */
  services: number;
  /** How long a service no longer written keeps its points (ms). */
  retentionMs: number;
}

/**
 * An hour of points at the default one-minute interval (shorter intervals keep up to 360 points),
 * 20 operations and 1,000 services: on Redis 1.2–1.5 KB a point (names of 20–40 characters),
 * up to ~90 MB at a one-minute interval and ~540 MB at 10 s.
 */
export function historyBounds(calculationIntervalMs: number): HistoryBounds {
  const points = Math.min(360, Math.max(60, Math.ceil(3_600_000 / calculationIntervalMs)));
  return { points, operations: 20, services: 1000, retentionMs: points * calculationIntervalMs + 3_600_000 };
}
