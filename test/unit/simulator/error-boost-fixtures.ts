import { ERROR_BOOST_DEFAULTS } from '../../../src/sampling/samplane/samplane-options';
import type { IncidentSummary } from '../../../src/simulator/error-summary';
import type { SimulationRun } from '../../../src/simulator/simulation';
import { runOf } from './standard-runs';

export const COOLDOWN = ERROR_BOOST_DEFAULTS.cooldownSeconds;
export const ERROR_TARGET = ERROR_BOOST_DEFAULTS.targetErrorSamplesPerSecond;
/**
 * After the errors fall back, the boost's short window still shows them for a few buckets
 * before the cooldown starts: "a few calculations" at the scenarios' 2 s interval.
 */
export const RETURN_SLACK_SECONDS = 30;

/** samplane's account of the incidents of one tracked series (jaeger has no boost to judge). */
export function incidentsOf(name: string, series = 0): { incidents: IncidentSummary[]; falseBoosts: number; run: SimulationRun } {
  const { run, summary } = runOf(name);
  const judged = summary.algorithms.samplane.series[series];
  return { incidents: judged.incidents ?? [], falseBoosts: judged.falseBoosts ?? -1, run };
}

/** Whether samplane ever boosted an operation the scenario does not track. */
export function everBoosted(run: SimulationRun, service: string, operation: string): boolean {
  return run.calculations.samplane.some((c) => c.boosted[service]?.[operation] !== undefined);
}
