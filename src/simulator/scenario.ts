import type { RateCurve } from './traffic';

export type SimulatedAlgorithm = 'jaeger' | 'samplane';

export interface ScenarioOperation {
  service: string;
  operation: string;
  /** Requests per second, read only while the operation is live. */
  rate: RateCurve;
  /** First second with traffic (default 0). */
  from?: number;
  /** First second without traffic again (default: the end of the run). */
  until?: number;
  /**
   * Share of requests that fail (0 to 1) at second `t`; each request fails on its own with it.
   * Absent: none fail.
   */
  errorRate?: RateCurve;
}

/** A rate the summary judges: one operation's sampled traces/s, or a service's total. */
export interface TrackedSeries {
  label: string;
  service: string;
  /** Omitted: the service's total over all its operations. */
  operation?: string;
  /**
   * Sampled traces/s it should settle at. Omitted: the service's budget, or the run's target
   * for an operation; a service total without a budget has none and is only charted.
   */
  target?: number;
  /** Seconds at which its traffic changes abruptly: settling is measured after each. */
  steps?: readonly number[];
  /** Periods [from, until) without traffic, judged on their probability instead of their rate. */
  idle?: readonly (readonly [number, number])[];
  /**
   * Periods [from, until) of raised errors on the operation, each judged on the error boost:
   * time to boost, errored traces sampled before, during and after, time to return.
   */
  incidents?: readonly (readonly [number, number])[];
}

/** The fleet and engine a scenario runs on; every field has a default (`DEFAULT_SETTINGS`). */
export interface SimulationSettings {
  durationSeconds: number;
  calculationIntervalSeconds: number;
  /** How often each SDK instance polls; instances poll at evenly spread phases. */
  pollIntervalSeconds: number;
  /** How far behind the calculation reads (ADAPTIVE_DELAY): the bucket ending `delay` ago. */
  delaySeconds: number;
  /** SDK instances per service; requests are spread evenly over them. */
  instances: number;
  /** Before this, both algorithms are still finding their feet: no judging. */
  warmupSeconds: number;
  targetSamplesPerSecond: number;
  deltaTolerance: number;
  maxOperations: number;
  seed: number;
}

export interface Scenario {
  name: string;
  title: string;
  description: string;
  settings?: Partial<SimulationSettings>;
  operations: readonly ScenarioOperation[];
  /** service → budget in sampled traces/s, handed to the calculators as an operation setting. */
  budgets?: Readonly<Record<string, number>>;
  /** The first is drawn first; each gets a panel of the chart. */
  tracked: readonly TrackedSeries[];
}

export const DEFAULT_SETTINGS: SimulationSettings = {
  durationSeconds: 3600,
  calculationIntervalSeconds: 60,
  // jaeger-client's default refresh interval.
  pollIntervalSeconds: 60,
  // Samplane's default ADAPTIVE_DELAY.
  delaySeconds: 10,
  instances: 4,
  warmupSeconds: 900,
  targetSamplesPerSecond: 1,
  deltaTolerance: 0.3,
  maxOperations: 2000,
  seed: 20240601,
};
