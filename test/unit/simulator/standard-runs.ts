import { simulate } from '../../../src/simulator/simulation';
import { findScenario } from '../../../src/simulator/standard-scenarios';
import { type ScenarioSummary, summarize } from '../../../src/simulator/summary';

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
