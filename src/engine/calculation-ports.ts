import type { EngineMetrics } from '../telemetry/engine-metrics';
import type { LeaderElector } from './leader-elector';

export type TickOutcome = 'follower' | 'computed' | 'skipped' | 'failed' | 'fenced';

/** One leader calculation per call, wherever it runs (this thread or the calculation thread). */
export interface Calculation {
  tick(): Promise<TickOutcome>;
}

export const CALCULATION = Symbol('CALCULATION');

/** Who leads, as a calculation reads it: the elector itself, or its word relayed to a worker. */
export type FenceSource = Pick<LeaderElector, 'currentFence' | 'onChange'>;

/** What a calculation reports to /metrics. */
export type CalculationMetrics = Pick<EngineMetrics, 'calculation' | 'computed' | 'droppedByCalculation' | 'stateSaved' | 'unread'>;

/**
 * Told when a calculation has let go of a phase's transients (an interval's counts read, once
 * folded or made a bucket): the calculation thread collects its garbage there, so its heap is
 * sized by what a phase holds, not by everything a calculation allocated. The save's own
 * transients are collected a few seconds after the tick (see the calculation thread).
 */
export interface CalculationPhases {
  ended(): void;
}

export const CALCULATION_PHASES = Symbol('CALCULATION_PHASES');
