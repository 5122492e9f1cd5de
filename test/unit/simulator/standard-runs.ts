import { simulate } from '../../../src/simulator/simulation';
import { findScenario } from '../../../src/simulator/standard-scenarios';
import { type ScenarioSummary, type SeriesSummary, summarize } from '../../../src/simulator/summary';

const cache = new Map<string, ScenarioSummary>();

/** The summary of one standard scenario, run once per test file. */
export function summaryOf(name: string): ScenarioSummary {
  let summary = cache.get(name);
  if (!summary) {
    const scenario = findScenario(name);
    if (!scenario) throw new Error(`no standard scenario "${name}"`);
    summary = summarize(simulate(scenario));
    cache.set(name, summary);
  }
  return summary;
}

/** Settling as a number, a step never settled counting as forever. */
export function settled(value: number | null): number {
  return value ?? Number.POSITIVE_INFINITY;
}

/** A one-line account of a series, for the names of the tests that only record Jaeger. */
export function describeSeries(series: SeriesSummary): string {
  const settling = series.settling.map((s) => (s === null ? 'never' : String(s))).join('/');
  const parts = [
    settling && `settling ${settling}`,
    series.overshoot !== undefined && `overshoot ${series.overshoot.toFixed(2)}`,
    `${series.oscillations} reversals in ${series.probabilityChanges} changes`,
    series.variation !== undefined && `cv ${series.variation.toFixed(3)}`,
    series.budgetError !== undefined && `budget error ${(series.budgetError * 100).toFixed(1)}%`,
    series.idleMaxProbability !== undefined && `idle max p ${series.idleMaxProbability.toFixed(4)}`,
  ];
  return parts.filter(Boolean).join(', ');
}
