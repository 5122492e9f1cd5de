import { renderChart } from './chart';
import type { IncidentSummary } from './error-summary';
import type { Scenario } from './scenario';
import { simulate } from './simulation';
import { STANDARD_SCENARIOS, findScenario } from './standard-scenarios';
import { type AlgorithmSummary, type ScenarioSummary, summarize } from './summary';

export interface ScenarioReport {
  summary: ScenarioSummary;
  /** File name for the chart, `<scenario>.svg`. */
  chartName: string;
  svg: string;
}

export class UnknownScenarioError extends Error {
  constructor(readonly scenario: string) {
    super(`unknown scenario "${scenario}"; known: all, ${STANDARD_SCENARIOS.map((s) => s.name).join(', ')}`);
    this.name = 'UnknownScenarioError';
  }
}

/** The scenarios `name` designates: one standard scenario, or `all` of them. */
export function selectScenarios(name: string): readonly Scenario[] {
  if (name === 'all') return STANDARD_SCENARIOS;
  const scenario = findScenario(name);
  if (!scenario) throw new UnknownScenarioError(name);
  return [scenario];
}

/** Runs each scenario once (both algorithms side by side), with its summary and chart. */
export function reportScenarios(scenarios: readonly Scenario[]): ScenarioReport[] {
  return scenarios.map((scenario) => {
    const run = simulate(scenario);
    const summary = summarize(run);
    return { summary, chartName: `${scenario.name}.svg`, svg: renderChart(run, summary) };
  });
}

const COLUMNS = [
  'scenario',
  'algorithm',
  'settling',
  'overshoot',
  'reversals/changes',
  'cv',
  'budget err',
  'fairness',
  'final',
  'idle max p',
  'return',
  'ops held',
  'dropped',
  'volume',
  'boost',
  'errored/s',
  'back',
] as const;

/**
 * One row per scenario and algorithm. Settling lists, per step of each tracked series, the
 * calculations until the rate stayed in the band (— when it never did); overshoot and final
 * are rate / target; return is rate / target in the first interval after a quiet spell;
 * volume is the mean sampled traces/s of the series charted without a target (a flood's total).
 * For each error incident: boost is the calculations (1: the first that could see it) and
 * seconds until the operation was boosted; errored/s the errored traces sampled per second
 * before, during and after; back the seconds after its end until the probability stayed within
 * 30 % of the former one (after its start, for an incident lasting to the end of the run).
 */
export function formatTable(summaries: readonly ScenarioSummary[]): string {
  const rows: string[][] = [];
  for (const summary of summaries) {
    for (const algorithm of Object.values(summary.algorithms)) rows.push(row(summary.scenario, algorithm));
  }
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const format = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [format(COLUMNS), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)].join('\n');
}

function row(scenario: string, summary: AlgorithmSummary): string[] {
  const series = summary.series;
  const settling = series.flatMap((s) => s.settling);
  const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
  const max = (values: (number | undefined)[]) => {
    const numbers = defined(values);
    return numbers.length > 0 ? Math.max(...numbers) : undefined;
  };
  const reversals = series.reduce((sum, s) => sum + s.oscillations, 0);
  const changes = series.reduce((sum, s) => sum + s.probabilityChanges, 0);
  return [
    scenario,
    summary.algorithm,
    settling.length > 0 ? settling.map((s) => (s === null ? '—' : String(s))).join(',') : '-',
    number(max(series.map((s) => s.overshoot)), 2),
    `${reversals}/${changes}`,
    number(max(series.map((s) => s.variation)), 3),
    percent(max(series.map((s) => s.budgetError))),
    percent(max(series.map((s) => s.fairnessError))),
    number(series.find((s) => s.final !== undefined)?.final, 2),
    number(max(series.map((s) => s.idleMaxProbability)), 4),
    number(max(series.map((s) => s.returnBurst)), 1),
    String(summary.maxOperationsHeld),
    String(summary.maxDropped),
    number(max(series.filter((s) => s.target === undefined).map((s) => s.meanRate)), 2),
    ...incidentCells(series.flatMap((s) => s.incidents ?? [])),
  ];
}

function incidentCells(incidents: readonly IncidentSummary[]): string[] {
  if (incidents.length === 0) return ['-', '-', '-'];
  const rate = (value: number | undefined) => number(value, 2);
  return [
    incidents.map((i) => (i.boostCalculations === null ? '—' : `${i.boostCalculations} (${i.boostSeconds}s)`)).join(','),
    incidents.map(({ errored: e }) => `${rate(e.before)}/${rate(e.during)}/${rate(e.after)}`).join(','),
    incidents.map((i) => (i.returnSeconds === null ? '—' : `${i.returnSeconds}s`)).join(','),
  ];
}

function number(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${(value * 100).toFixed(1)}%`;
}
