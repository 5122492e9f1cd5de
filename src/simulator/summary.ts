import { JAEGER_DEFAULTS } from '../sampling/adaptive-options';
import { fairShares } from '../sampling/samplane/fair-share';
import { type IncidentSummary, summarizeIncidents } from './error-summary';
import type { SimulatedAlgorithm, TrackedSeries } from './scenario';
import { ALGORITHMS, type CalculationRecord, type Meter, type SimulationRun } from './simulation';

/**
 * How one algorithm did on one tracked series. Rates are judged per calculation: the sampled
 * traces per second its probabilities yield, in expectation on the true traffic, over the
 * time they were applied (each instance from its first poll after the calculation to its first
 * poll after the next). So each number measures the controller, not the coin flips of sampling.
 */
export interface SeriesSummary {
  label: string;
  /** Sampled traces/s aimed at; undefined for a series that is only charted. */
  target: number | undefined;
  /**
   * Per step: how many calculations after the step (the first being the one whose bucket
   * contains it) until the rate is within the tolerance band and stays there up to the next
   * step; null when it never does.
   */
  settling: (number | null)[];
  /** Highest rate / target once the calculation had seen every step so far. */
  overshoot: number | undefined;
  /** Probability changes between consecutive calculations at constant load. */
  probabilityChanges: number;
  /** Direction reversals among those changes: oscillation. */
  oscillations: number;
  /** Coefficient of variation of the rate at constant load. */
  variation: number | undefined;
  /** Rate / target over the last five intervals. */
  final: number | undefined;
  /** Mean sampled traces/s after the warm-up. */
  meanRate: number | undefined;
  /** Mean |rate − budget| / budget at constant load (budgeted service totals). */
  budgetError?: number;
  /** Largest mean relative distance of an operation's rate from its max-min fair share. */
  fairnessError?: number;
  /** Highest probability served while the operation was quiet. */
  idleMaxProbability?: number;
  /** Rate / target in the first interval after traffic returned. */
  returnBurst?: number;
  /** Per period of raised errors: how the error boost met it. */
  incidents?: IncidentSummary[];
  /** Calculations that boosted the operation outside every incident and its cooldown. */
  falseBoosts?: number;
}

export interface AlgorithmSummary {
  algorithm: SimulatedAlgorithm;
  series: SeriesSummary[];
  /** The most operations one service had in one calculation's output. */
  maxOperationsHeld: number;
  /** The most operations one calculation left out over the cap. */
  maxDropped: number;
}

export interface ScenarioSummary {
  scenario: string;
  title: string;
  algorithms: Record<SimulatedAlgorithm, AlgorithmSummary>;
}

/** Calculations after a step that count as its aftermath rather than constant load. */
const AFTERMATH = 5;
const FINAL_WINDOWS = 5;

interface Window {
  /** Index into the algorithm's calculations. */
  calculation: number;
  /** The calculation's number: it read the bucket ending at `number × interval`. */
  number: number;
  /** From the calculation to the last instance's switch to the next one's probabilities. */
  from: number;
  to: number;
  /** Sampled traces/s while its probabilities were applied. */
  rate: number;
  /** Requests/s meanwhile: the most the series could yield. */
  requests: number;
}

export function summarize(run: SimulationRun): ScenarioSummary {
  const algorithms = {} as Record<SimulatedAlgorithm, AlgorithmSummary>;
  for (const algorithm of ALGORITHMS) {
    const calculations = run.calculations[algorithm];
    algorithms[algorithm] = {
      algorithm,
      series: run.scenario.tracked.map((series, i) => summarizeSeries(run, algorithm, series, run.meters[i])),
      maxOperationsHeld: Math.max(0, ...calculations.map((c) => Math.max(0, ...Object.values(c.held)))),
      maxDropped: Math.max(0, ...calculations.map((c) => c.dropped)),
    };
  }
  return { scenario: run.scenario.name, title: run.scenario.title, algorithms };
}

function summarizeSeries(
  run: SimulationRun,
  algorithm: SimulatedAlgorithm,
  series: TrackedSeries,
  meter: Meter,
): SeriesSummary {
  const { settings, scenario } = run;
  const interval = settings.calculationIntervalSeconds;
  const budget = series.operation === undefined ? scenario.budgets?.[series.service] : undefined;
  const target = series.target ?? budget ?? (series.operation !== undefined ? settings.targetSamplesPerSecond : undefined);
  const calculations = run.calculations[algorithm];
  const steps = [...(series.steps ?? [])].sort((a, b) => a - b);
  const windows = judgedWindows(run, algorithm, meter);
  const rate = (w: Window) => w.rate;
  // An operation cannot yield more than all its requests: that is the target it can reach.
  const reachable = (w: Window) => Math.min(target ?? 0, w.requests);
  const ratio = (w: Window) => rate(w) / reachable(w);
  const inBand = (w: Window) => Math.abs(ratio(w) - 1) <= settings.deltaTolerance;
  const seenAllSteps = (w: Window) => !steps.some((s) => s > w.number * interval && s < w.to);
  const steady = (w: Window) =>
    w.from >= settings.warmupSeconds && !steps.some((s) => s > (w.number - AFTERMATH) * interval && s < w.to);

  const summary: SeriesSummary = {
    label: series.label,
    target,
    settling: [],
    overshoot: undefined,
    probabilityChanges: 0,
    oscillations: 0,
    variation: undefined,
    final: undefined,
    meanRate: undefined,
  };
  const judged = windows.filter((w) => w.from >= settings.warmupSeconds);
  summary.meanRate = judged.length > 0 ? judged.reduce((sum, w) => sum + rate(w), 0) / judged.length : undefined;
  const oscillation = countOscillations(run, algorithm, series, windows.filter(steady));
  summary.probabilityChanges = oscillation.changes;
  summary.oscillations = oscillation.reversals;
  const steadyRates = windows.filter(steady).map(rate);
  summary.variation = steadyRates.length > 1 ? coefficientOfVariation(steadyRates) : undefined;

  if (target !== undefined) {
    summary.settling = steps.map((s, i) => {
      const first = Math.floor(s / interval) + 1;
      const until = steps[i + 1] ?? settings.durationSeconds;
      const after = windows.filter((w) => w.number >= first && w.to <= until);
      if (after.length === 0 || !inBand(after[after.length - 1])) return null;
      let j = after.length - 1;
      while (j > 0 && inBand(after[j - 1])) j--;
      return after[j].number - first + 1;
    });
    const informed = windows.filter((w) => w.from >= settings.warmupSeconds && seenAllSteps(w));
    summary.overshoot = informed.length > 0 ? Math.max(...informed.map(ratio)) : undefined;
    const last = windows.slice(-FINAL_WINDOWS);
    summary.final = last.length > 0 ? last.reduce((sum, w) => sum + ratio(w), 0) / last.length : undefined;
    if (budget !== undefined) {
      const judged = windows.filter(steady);
      summary.budgetError = judged.length > 0 ? judged.reduce((sum, w) => sum + Math.abs(ratio(w) - 1), 0) / judged.length : undefined;
      summary.fairnessError = fairnessError(run, algorithm, series.service, budget, judged);
    }
  }
  if (series.idle && series.idle.length > 0 && series.operation !== undefined) {
    const operation = series.operation;
    summary.idleMaxProbability = Math.max(
      ...series.idle.map(([from, until]) =>
        Math.max(
          0,
          ...calculations
            .filter((c) => c.time >= from + 2 * interval && c.time < until)
            .map((c) => probabilityOf(c, series.service, operation)),
        ),
      ),
    );
    if (target !== undefined) {
      summary.returnBurst = Math.max(
        ...series.idle
          .filter(([, until]) => until + interval <= settings.durationSeconds)
          .map(([, until]) => mean(meter.expected[algorithm], until, until + interval) / target),
      );
    }
  }
  if (series.incidents && series.incidents.length > 0 && series.operation !== undefined) {
    Object.assign(summary, summarizeIncidents(run, algorithm, series, meter));
  }
  return summary;
}

/** Per calculation, what its probabilities yielded, where the series had traffic throughout. */
function judgedWindows(run: SimulationRun, algorithm: SimulatedAlgorithm, meter: Meter): Window[] {
  const { settings } = run;
  const governed = meter.governed[algorithm];
  const windows: Window[] = [];
  run.calculations[algorithm].forEach((c, i) => {
    const number = i + 1;
    const from = c.time;
    const to = from + settings.calculationIntervalSeconds + settings.pollIntervalSeconds;
    if (to > settings.durationSeconds || !(governed.seconds[number] > 0)) return;
    for (let t = from; t < to; t++) if (!(meter.requests[t] > 0)) return;
    const seconds = governed.seconds[number];
    windows.push({
      calculation: i,
      number,
      from,
      to,
      rate: governed.sampled[number] / seconds,
      requests: governed.requests[number] / seconds,
    });
  });
  return windows;
}

function countOscillations(
  run: SimulationRun,
  algorithm: SimulatedAlgorithm,
  series: TrackedSeries,
  steady: Window[],
): { changes: number; reversals: number } {
  const operations =
    series.operation !== undefined
      ? [series.operation]
      : [...new Set(run.scenario.operations.filter((op) => op.service === series.service).map((op) => op.operation))];
  // A flood of names is judged on its boundedness, not on each name's probability.
  if (operations.length > 50) return { changes: 0, reversals: 0 };
  const calculations = run.calculations[algorithm];
  let changes = 0;
  let reversals = 0;
  for (const operation of operations) {
    let lastSign = 0;
    for (let i = 1; i < steady.length; i++) {
      if (steady[i].calculation !== steady[i - 1].calculation + 1) {
        lastSign = 0;
        continue;
      }
      const before = probabilityOf(calculations[steady[i - 1].calculation], series.service, operation);
      const after = probabilityOf(calculations[steady[i].calculation], series.service, operation);
      const change = after - before;
      if (Math.abs(change) <= 1e-12 * Math.max(before, after)) continue;
      changes++;
      const sign = Math.sign(change);
      if (lastSign !== 0 && sign !== lastSign) reversals++;
      lastSign = sign;
    }
  }
  return { changes, reversals };
}

function fairnessError(
  run: SimulationRun,
  algorithm: SimulatedAlgorithm,
  service: string,
  budget: number,
  windows: Window[],
): number | undefined {
  const meters = [...(run.operationMeters.get(service)?.values() ?? [])];
  if (meters.length === 0 || windows.length === 0) return undefined;
  const errors = new Map<Meter, { sum: number; n: number }>();
  for (const w of windows) {
    const rates = meters.map((m) => {
      const governed = m.governed[algorithm];
      const seconds = governed.seconds[w.number];
      return { meter: m, requests: governed.requests[w.number] / seconds, sampled: governed.sampled[w.number] / seconds };
    });
    const live = rates.filter((r) => r.requests > 0);
    const ideal = fairShares(
      budget,
      live.map((r) => ({ demand: r.requests, floor: Math.min(r.requests, JAEGER_DEFAULTS.minSamplesPerSecond) })),
    );
    live.forEach((r, i) => {
      const entry = errors.get(r.meter) ?? { sum: 0, n: 0 };
      entry.sum += Math.abs(r.sampled - ideal[i]) / ideal[i];
      entry.n++;
      errors.set(r.meter, entry);
    });
  }
  return Math.max(...[...errors.values()].map((e) => e.sum / e.n));
}

export function probabilityOf(calculation: CalculationRecord, service: string, operation: string): number {
  return calculation.probabilities[service]?.[operation] ?? JAEGER_DEFAULTS.initialSamplingProbability;
}

function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let t = from; t < to; t++) sum += values[t];
  return sum / (to - from);
}

function coefficientOfVariation(values: number[]): number {
  const average = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - average) ** 2, 0) / (values.length - 1);
  return average > 0 ? Math.sqrt(variance) / average : 0;
}
