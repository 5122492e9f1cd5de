import { type SimulationRun, simulate } from '../../../src/simulator/simulation';
import { findScenario } from '../../../src/simulator/standard-scenarios';
import { type ScenarioSummary, summarize } from '../../../src/simulator/summary';

const cache = new Map<string, { run: SimulationRun; summary: ScenarioSummary }>();

/** One standard scenario's run and summary, run once per test file. */
export function runOf(name: string): { run: SimulationRun; summary: ScenarioSummary } {
  let entry = cache.get(name);
  if (!entry) {
    const scenario = findScenario(name);
    if (!scenario) throw new Error(`no standard scenario "${name}"`);
    const run = simulate(scenario);
    entry = { run, summary: summarize(run) };
    cache.set(name, entry);
  }
  return entry;
}

/** The summary of one standard scenario, run once per test file. */
export function summaryOf(name: string): ScenarioSummary {
  return runOf(name).summary;
}

/** Settling as a number, a step never settled counting as forever. */
export function settled(value: number | null): number {
  return value ?? Number.POSITIVE_INFINITY;
}
