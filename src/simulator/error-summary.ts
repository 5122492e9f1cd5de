import { JAEGER_DEFAULTS } from '../sampling/adaptive-options';
import { ERROR_BOOST_DEFAULTS } from '../sampling/samplane/samplane-options';
import type { SimulatedAlgorithm, TrackedSeries } from './scenario';
import type { CalculationRecord, Meter, SimulationRun } from './simulation';

/** Sampled traces per second, expected on the true traffic from the probabilities in effect. */
export interface PerPeriod {
  /** The five minutes before the incident (from the previous one's end at most). */
  before: number | undefined;
  during: number;
  /** From the incident's end to the next one or the end of the run; undefined if none. */
  after: number | undefined;
}

/** How an algorithm met one period of raised errors on an operation. */
export interface IncidentSummary {
  from: number;
  until: number;
  /**
   * Calculations until the first boosted one, counting from the first whose bucket holds the
   * incident's start (1: that one); null when it never was (`jaeger` has no boost).
   */
  boostCalculations: number | null;
  /** Seconds from the incident's start to that calculation. */
  boostSeconds: number | null;
  /** Errored traces sampled per second. */
  errored: PerPeriod;
  /** All traces sampled per second. */
  sampled: PerPeriod;
  /** Failed requests per second during the incident, for scale. */
  errorsPerSecond: number;
  /** The probability of the last calculation before the incident could be seen. */
  formerProbability: number;
  /** The highest probability of the calculations that saw the incident. */
  peakProbability: number;
  /** The highest probability after the incident, up to the next one or the end. */
  peakAfter: number | undefined;
  /**
   * Seconds after the incident's end (after its start, for one lasting to the end of the run)
   * of the first calculation from which the probability stays within `RETURN_BAND` of the
   * former one; null when it never does.
   */
  returnSeconds: number | null;
  /** The same in calculations after the last that saw the incident. */
  returnCalculations: number | null;
  /** Seconds after the incident's start when the boost ended for good; null: never boosted or boosted to the end. */
  boostEndSeconds: number | null;
  /** Times the boost came back after it had ended, before the next incident or the end. */
  boostRestarts: number;
  /** Budgeted service: mean |service total − budget| / budget over the incident, per second. */
  budgetError?: number;
  /** Budgeted service: the largest |total − budget| / budget of one calculation interval's mean. */
  budgetErrorMax?: number;
}

/** "Back to its former probability": within this relative distance of it. */
export const RETURN_BAND = 0.3;
const BEFORE_SECONDS = 300;
/** Boosts after an incident ends are its own until the cooldown has run and a minute more. */
const BOOST_GRACE_SECONDS = ERROR_BOOST_DEFAULTS.cooldownSeconds + 60;

/** Each incident of an operation series, and the boosts outside every incident. */
export function summarizeIncidents(
  run: SimulationRun,
  algorithm: SimulatedAlgorithm,
  series: TrackedSeries,
  meter: Meter,
): { incidents: IncidentSummary[]; falseBoosts: number } {
  const { settings } = run;
  const interval = settings.calculationIntervalSeconds;
  const duration = settings.durationSeconds;
  const calculations = run.calculations[algorithm];
  const operation = series.operation ?? '';
  const p = (c: CalculationRecord) => c.probabilities[series.service]?.[operation] ?? JAEGER_DEFAULTS.initialSamplingProbability;
  const boosted = (c: CalculationRecord) => c.boosted[series.service]?.[operation] !== undefined;
  const numberSeeing = (second: number) => Math.floor(second / interval) + 1;
  const incidents = [...(series.incidents ?? [])].sort((a, b) => a[0] - b[0]);
  const budget = run.scenario.budgets?.[series.service];

  const summaries = incidents.map(([from, until], i): IncidentSummary => {
    const previousEnd = i > 0 ? incidents[i - 1][1] : 0;
    const nextStart = incidents[i + 1]?.[0] ?? duration;
    const first = numberSeeing(from);
    const last = numberSeeing(Math.max(from, until - 1));
    // Calculations that could react to it, up to the next incident: index i is number i + 1.
    const range = calculations.map((c, index) => ({ c, number: index + 1 })).filter(({ c, number }) => number >= first && c.time < nextStart);
    const boost = range.find(({ c }) => boosted(c));
    const lastBefore = first >= 2 ? calculations[first - 2] : undefined;
    const former = lastBefore ? p(lastBefore) : JAEGER_DEFAULTS.initialSamplingProbability;
    const seeing = range.filter(({ number }) => number <= last);
    const after = range.filter(({ number }) => number > last);
    const ended = until < duration;
    const returned = firstOfLastRun(ended ? after : range, ({ c }) => Math.abs(p(c) - former) / former <= RETURN_BAND);
    let lastBoosted = -1;
    let restarts = 0;
    range.forEach(({ c }, j) => {
      if (!boosted(c)) return;
      if (lastBoosted >= 0 && lastBoosted < j - 1) restarts++;
      lastBoosted = j;
    });
    const boostEnd = lastBoosted >= 0 ? range[lastBoosted + 1] : undefined;
    const beforeFrom = Math.max(previousEnd, from - BEFORE_SECONDS, 0);
    return {
      from,
      until,
      boostCalculations: boost ? boost.number - first + 1 : null,
      boostSeconds: boost ? boost.c.time - from : null,
      errored: perPeriod(meter.expectedErrors[algorithm], beforeFrom, from, until, nextStart),
      sampled: perPeriod(meter.expected[algorithm], beforeFrom, from, until, nextStart),
      errorsPerSecond: mean(meter.errors, from, until),
      formerProbability: former,
      peakProbability: Math.max(0, ...seeing.map(({ c }) => p(c))),
      peakAfter: after.length > 0 ? Math.max(...after.map(({ c }) => p(c))) : undefined,
      returnSeconds: returned ? Math.max(0, returned.c.time - (ended ? until : from)) : null,
      returnCalculations: returned ? Math.max(0, returned.number - (ended ? last : first - 1)) : null,
      boostEndSeconds: boostEnd ? boostEnd.c.time - from : null,
      boostRestarts: restarts,
      ...(budget !== undefined && budgetErrors(run, algorithm, series.service, budget, from, until)),
    };
  });

  const explained = (c: CalculationRecord) =>
    incidents.some(([from, until]) => c.time >= numberSeeing(from) * interval && c.time < until + BOOST_GRACE_SECONDS);
  const falseBoosts = calculations.filter((c) => boosted(c) && !explained(c)).length;
  return { incidents: summaries, falseBoosts };
}

/** The first element of the final stretch in which every element passes; undefined if the last fails. */
function firstOfLastRun<T>(items: readonly T[], passes: (item: T) => boolean): T | undefined {
  let j = items.length;
  while (j > 0 && passes(items[j - 1])) j--;
  return j < items.length ? items[j] : undefined;
}

function perPeriod(values: Float64Array, beforeFrom: number, from: number, until: number, nextStart: number): PerPeriod {
  return {
    before: from > beforeFrom ? mean(values, beforeFrom, from) : undefined,
    during: mean(values, from, until),
    after: nextStart > until ? mean(values, until, nextStart) : undefined,
  };
}

function budgetErrors(
  run: SimulationRun,
  algorithm: SimulatedAlgorithm,
  service: string,
  budget: number,
  from: number,
  until: number,
): { budgetError: number; budgetErrorMax: number } {
  const meters = [...(run.operationMeters.get(service)?.values() ?? [])];
  const total = (t: number) => meters.reduce((sum, m) => sum + m.expected[algorithm][t], 0);
  let sum = 0;
  for (let t = from; t < until; t++) sum += Math.abs(total(t) - budget) / budget;
  const interval = run.settings.calculationIntervalSeconds;
  let worst = 0;
  for (let t = from; t + interval <= until; t += interval) {
    let yielded = 0;
    for (let s = t; s < t + interval; s++) yielded += total(s);
    worst = Math.max(worst, Math.abs(yielded / interval - budget) / budget);
  }
  return { budgetError: until > from ? sum / (until - from) : 0, budgetErrorMax: worst };
}

function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let t = from; t < to; t++) sum += values[t];
  return to > from ? sum / (to - from) : 0;
}
