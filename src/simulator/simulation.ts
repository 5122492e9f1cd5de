import { JAEGER_DEFAULTS } from '../sampling/adaptive-options';
import type { Probabilities } from '../sampling/calculator';
import { formatProbability } from '../sampling/jaeger/format-probability';
import { type ThroughputBucket, recentPartLength } from '../sampling/throughput';
import { boostedOperations, createCalculator } from './calculators';
import { type BucketCounts, toBucket } from './engine-bucket';
import { Random } from './random';
import {
  DEFAULT_SETTINGS,
  type Scenario,
  type ScenarioOperation,
  type SimulatedAlgorithm,
  type SimulationSettings,
} from './scenario';

/** What one calculation produced. */
export interface CalculationRecord {
  /** When it ran, in seconds from the start; it read the bucket ending `delaySeconds` before. */
  time: number;
  probabilities: Probabilities;
  /** service → operations in its output. */
  held: Record<string, number>;
  /** Operations it left out over `maxOperations`, all services together. */
  dropped: number;
  /** service → operation → the probability its error boost asked for, for boosted operations. */
  boosted: Probabilities;
}

/**
 * Traffic while one calculation's probabilities were applied: from each instance's first poll
 * after it ran to its first poll after the next one ran. Index 0 is before any calculation.
 */
export interface Governed {
  /** Expected sampled traces. */
  sampled: Float64Array;
  requests: Float64Array;
  /** Seconds, averaged over the instances. */
  seconds: Float64Array;
  /** Expected sampled traces of failed requests. */
  sampledErrors: Float64Array;
}

/** Traffic measured for one tracked series (or one operation of a budgeted service). */
export interface Meter {
  service: string;
  operation?: string;
  /** Requests per second, second by second: the true rate, the same for every algorithm. */
  requests: Float64Array;
  /** Failed requests per second expected from the error-rate curves, second by second. */
  errors: Float64Array;
  /** algorithm → sampled traces per second expected from the probabilities in effect, per second. */
  expected: Record<SimulatedAlgorithm, Float64Array>;
  /** algorithm → sampled traces of failed requests per second expected, per second. */
  expectedErrors: Record<SimulatedAlgorithm, Float64Array>;
  /** algorithm → sampled traces actually drawn in each bucket. */
  sampled: Record<SimulatedAlgorithm, number[]>;
  /** algorithm → sampled traces of failed requests actually drawn in each bucket. */
  sampledErrors: Record<SimulatedAlgorithm, number[]>;
  /** algorithm → traffic per calculation whose probabilities it was sampled at. */
  governed: Record<SimulatedAlgorithm, Governed>;
}

export interface SimulationRun {
  scenario: Scenario;
  settings: SimulationSettings;
  /** One per tracked series, in the scenario's order. */
  meters: Meter[];
  /** service → operation → meter, for every operation of a budgeted service. */
  operationMeters: Map<string, Map<string, Meter>>;
  calculations: Record<SimulatedAlgorithm, CalculationRecord[]>;
}

export const ALGORITHMS: readonly SimulatedAlgorithm[] = ['jaeger', 'samplane'];

interface Publication {
  time: number;
  probabilities: Probabilities;
}

interface Applied {
  /** The calculation's number (1-based); 0 before the first one. */
  calculation: number;
  probabilities: Probabilities | undefined;
}

interface Instance {
  /** Second of its first poll; it polls every `pollIntervalSeconds` after. */
  phase: number;
  applied: Record<SimulatedAlgorithm, Applied>;
}

interface SimulatedOperation {
  service: string;
  operation: string;
  rate: ScenarioOperation['rate'];
  errorRate: ScenarioOperation['errorRate'];
  index: number;
  from: number;
  until: number;
  meters: Meter[];
}

/**
 * Runs a scenario on a synthetic fleet, on a virtual clock, against the real calculators.
 *
 * Each service's requests are spread over its SDK instances; each instance applies the
 * probabilities it fetched at its last poll, so a calculation takes effect over the following
 * poll interval, one instance after the other. Every calculation interval the engine gets one
 * bucket per algorithm with that algorithm's reporting semantics: `jaeger` counts sampled root
 * spans and the probabilities they carried, `samplane` counts requests and their errors. Both
 * algorithms are driven by the same request (and failure) draws, so their differences are
 * theirs, not the dice's.
 */
export function simulate(scenario: Scenario): SimulationRun {
  const algorithms = ALGORITHMS;
  const settings: SimulationSettings = { ...DEFAULT_SETTINGS, ...scenario.settings };
  const { durationSeconds: duration, calculationIntervalSeconds: interval, pollIntervalSeconds: poll } = settings;
  const bucketCount = Math.ceil(duration / interval);
  const initial = JAEGER_DEFAULTS.initialSamplingProbability;
  // Per-second series are accumulated as differences (v at t, −v at t+1) so that a constant
  // rate over a stretch costs two additions, and summed up at the end.
  const meterOf = (service: string, operation?: string): Meter => ({
    service,
    operation,
    requests: new Float64Array(duration + 1),
    errors: new Float64Array(duration + 1),
    expected: perAlgorithm(() => new Float64Array(duration + 1)),
    expectedErrors: perAlgorithm(() => new Float64Array(duration + 1)),
    sampled: perAlgorithm(() => new Array<number>(bucketCount).fill(0)),
    sampledErrors: perAlgorithm(() => new Array<number>(bucketCount).fill(0)),
    governed: perAlgorithm(() => ({
      sampled: new Float64Array(bucketCount + 1),
      requests: new Float64Array(bucketCount + 1),
      seconds: new Float64Array(bucketCount + 1),
      sampledErrors: new Float64Array(bucketCount + 1),
    })),
  });
  const meters = scenario.tracked.map((series) => meterOf(series.service, series.operation));
  const operationMeters = new Map<string, Map<string, Meter>>();
  for (const service of Object.keys(scenario.budgets ?? {})) operationMeters.set(service, new Map());

  const operations: SimulatedOperation[] = scenario.operations.map((op, index) => {
    const own = operationMeters.get(op.service);
    if (own && !own.has(op.operation)) own.set(op.operation, meterOf(op.service, op.operation));
    // Same fields in the same order for every operation: the hot loop reads them all.
    return {
      service: op.service,
      operation: op.operation,
      rate: op.rate,
      errorRate: op.errorRate,
      index,
      from: Math.max(0, op.from ?? 0),
      until: Math.min(duration, op.until ?? duration),
      meters: [
        ...meters.filter((m) => m.service === op.service && (m.operation === undefined || m.operation === op.operation)),
        ...(own ? [own.get(op.operation) as Meter] : []),
      ],
    };
  });
  const services = groupByService(operations);
  const serviceMeters = new Map<string, Meter[]>();
  for (const [service, ops] of services) serviceMeters.set(service, [...new Set(ops.flatMap((op) => op.meters))]);
  const fleet = new Map<string, Instance[]>();
  for (const service of services.keys()) {
    fleet.set(
      service,
      Array.from({ length: settings.instances }, (_, j) => ({
        phase: Math.floor(((j + 0.5) * poll) / settings.instances),
        applied: perAlgorithm((): Applied => ({ calculation: 0, probabilities: undefined })),
      })),
    );
  }

  const calculators = perAlgorithm((algorithm) => createCalculator(algorithm, settings, scenario));
  const publications = perAlgorithm(() => [] as Publication[]);
  const calculations = perAlgorithm(() => [] as CalculationRecord[]);
  const buckets = perAlgorithm(() => [] as ThroughputBucket[]);
  const traffic = new Random(settings.seed);
  // Failures are drawn from their own stream, so that scenarios without errors draw as before.
  const failures = new Random(settings.seed * 7 + 3);
  const samplers = perAlgorithm((_, i) => new Random(settings.seed * 31 + i + 1));
  let nextCalculation = 1;
  const calculationTime = (m: number) => m * interval + settings.delaySeconds;

  const rates = new Float64Array(Math.max(interval, poll));
  const errorShares = new Float64Array(rates.length);
  // Formatting is exact and therefore slow; the same few probabilities recur all run long.
  const formats = new Map<number, string>();
  const formatted = (p: number) => {
    let text = formats.get(p);
    if (text === undefined) {
      text = formatProbability(p);
      formats.set(p, text);
    }
    return text;
  };
  for (let k = 0; k < bucketCount; k++) {
    const start = k * interval;
    const end = Math.min(duration, start + interval);
    // Calculations published before this bucket ends, whose own bucket is complete.
    while (nextCalculation <= k && calculationTime(nextCalculation) < end) {
      const time = calculationTime(nextCalculation);
      for (const algorithm of algorithms) {
        const calculator = calculators[algorithm];
        calculator.addBucket(buckets[algorithm][nextCalculation - 1]);
        const result = calculator.calculate();
        publications[algorithm].push({ time, probabilities: result.probabilities });
        calculations[algorithm].push({
          time,
          probabilities: result.probabilities,
          held: Object.fromEntries(Object.entries(result.probabilities).map(([s, ops]) => [s, Object.keys(ops).length])),
          dropped: Object.values(calculator.droppedOperations()).reduce((sum, n) => sum + n, 0),
          boosted: boostedOperations(calculator),
        });
      }
      nextCalculation++;
    }

    // Split as the engine splits buckets, with one-second slots.
    const recentFrom = end - recentPartLength(end - start, 1);
    const counts: BucketCounts = {
      requests: new Float64Array(operations.length),
      recent: new Float64Array(operations.length),
      errors: new Float64Array(operations.length),
      sampled: perAlgorithm(() => new Float64Array(operations.length)),
      sampledErrors: perAlgorithm(() => new Float64Array(operations.length)),
      probabilities: perAlgorithm(() => new Array<Set<string> | undefined>(operations.length)),
    };
    const liveInBucket: SimulatedOperation[] = [];
    for (const [service, serviceOperations] of services) {
      const live = serviceOperations.filter((op) => op.from < end && op.until > start);
      liveInBucket.push(...live);
      const instances = fleet.get(service) as Instance[];
      const share = 1 / instances.length;
      for (const instance of instances) {
        let a = start;
        while (a < end) {
          if (a >= instance.phase && (a - instance.phase) % poll === 0) {
            for (const algorithm of algorithms) {
              const index = latest(publications[algorithm], a);
              if (index >= 0) {
                instance.applied[algorithm] = { calculation: index + 1, probabilities: publications[algorithm][index].probabilities };
              }
            }
          }
          // The recent part is drawn on its own, so that its count is known apart.
          const b = Math.min(end, nextPoll(instance.phase, poll, a), a < recentFrom ? recentFrom : end);
          for (const meter of serviceMeters.get(service) as Meter[]) {
            for (const algorithm of algorithms) meter.governed[algorithm].seconds[instance.applied[algorithm].calculation] += share * (b - a);
          }
          for (const op of live) {
            const from = Math.max(a, op.from);
            const until = Math.min(b, op.until);
            if (from >= until) continue;
            const errorRate = op.errorRate;
            const fixed = errorRate === undefined ? op.rate.constantRate : undefined;
            let mean = 0;
            let errorMean = 0;
            if (fixed !== undefined) {
              mean = Math.max(0, fixed) * share * (until - from);
              for (const meter of op.meters) addOver(meter.requests, from, until, Math.max(0, fixed) * share);
            } else {
              for (let t = from; t < until; t++) {
                const rate = Math.max(0, op.rate(t)) * share;
                rates[t - from] = rate;
                mean += rate;
                for (const meter of op.meters) addOver(meter.requests, t, t + 1, rate);
                if (errorRate === undefined) continue;
                const failing = Math.min(1, Math.max(0, errorRate(t)));
                errorShares[t - from] = failing;
                errorMean += rate * failing;
                for (const meter of op.meters) addOver(meter.errors, t, t + 1, rate * failing);
              }
            }
            const requests = traffic.poisson(mean);
            // Each request fails on its own, at the slot's error rate weighted by its traffic.
            const errors = errorRate !== undefined && requests > 0 && mean > 0 ? failures.binomial(requests, errorMean / mean) : 0;
            counts.requests[op.index] += requests;
            counts.errors[op.index] += errors;
            if (a >= recentFrom) counts.recent[op.index] += requests;
            for (const algorithm of algorithms) {
              const applied = instance.applied[algorithm];
              const p = applied.probabilities?.[service]?.[op.operation] ?? initial;
              const sampledErrors = errors > 0 ? samplers[algorithm].binomial(errors, p) : 0;
              const sampled = sampledErrors + samplers[algorithm].binomial(requests - errors, p);
              counts.sampled[algorithm][op.index] += sampled;
              counts.sampledErrors[algorithm][op.index] += sampledErrors;
              if (sampled > 0) (counts.probabilities[algorithm][op.index] ??= new Set()).add(formatted(p));
              for (const meter of op.meters) {
                const governed = meter.governed[algorithm];
                governed.sampled[applied.calculation] += mean * p;
                governed.requests[applied.calculation] += mean;
                governed.sampledErrors[applied.calculation] += errorMean * p;
                if (fixed !== undefined) {
                  addOver(meter.expected[algorithm], from, until, Math.max(0, fixed) * share * p);
                } else {
                  for (let t = from; t < until; t++) addOver(meter.expected[algorithm], t, t + 1, rates[t - from] * p);
                }
                if (errorRate === undefined) continue;
                for (let t = from; t < until; t++) {
                  addOver(meter.expectedErrors[algorithm], t, t + 1, rates[t - from] * errorShares[t - from] * p);
                }
              }
            }
          }
          a = b;
        }
      }
    }
    for (const algorithm of algorithms) {
      const split = algorithm === 'samplane' && recentFrom > start;
      const bucket = toBucket(algorithm, liveInBucket, counts.requests, counts, end - start, counts.errors, split ? counts.recent : undefined);
      if (split) bucket.recentSeconds = end - recentFrom;
      buckets[algorithm].push(bucket);
      for (const op of liveInBucket) {
        const sampled = counts.sampled[algorithm][op.index];
        if (sampled > 0) for (const meter of op.meters) meter.sampled[algorithm][k] += sampled;
        const sampledErrors = counts.sampledErrors[algorithm][op.index];
        if (sampledErrors > 0) for (const meter of op.meters) meter.sampledErrors[algorithm][k] += sampledErrors;
      }
    }
  }

  const allMeters = [...meters, ...[...operationMeters.values()].flatMap((m) => [...m.values()])];
  for (const meter of allMeters) {
    meter.requests = accumulate(meter.requests, duration);
    meter.errors = accumulate(meter.errors, duration);
    for (const algorithm of algorithms) {
      meter.expected[algorithm] = accumulate(meter.expected[algorithm], duration);
      meter.expectedErrors[algorithm] = accumulate(meter.expectedErrors[algorithm], duration);
    }
  }
  return { scenario, settings, meters, operationMeters, calculations };
}

/** Index of the newest publication at or before `time`; −1 if none. */
function latest(publications: readonly Publication[], time: number): number {
  for (let i = publications.length - 1; i >= 0; i--) {
    if (publications[i].time <= time) return i;
  }
  return -1;
}

function nextPoll(phase: number, every: number, after: number): number {
  if (after < phase) return phase;
  return phase + (Math.floor((after - phase) / every) + 1) * every;
}

function addOver(differences: Float64Array, from: number, until: number, value: number): void {
  differences[from] += value;
  differences[until] -= value;
}

function accumulate(differences: Float64Array, length: number): Float64Array {
  const values = new Float64Array(length);
  let running = 0;
  for (let t = 0; t < length; t++) {
    running += differences[t];
    // Summing differences leaves float dust where the true value is zero.
    values[t] = Math.abs(running) < 1e-9 ? 0 : running;
  }
  return values;
}

function groupByService(operations: readonly SimulatedOperation[]): Map<string, SimulatedOperation[]> {
  const services = new Map<string, SimulatedOperation[]>();
  for (const op of operations) {
    const list = services.get(op.service);
    if (list) list.push(op);
    else services.set(op.service, [op]);
  }
  return services;
}

function perAlgorithm<T>(make: (algorithm: SimulatedAlgorithm, index: number) => T): Record<SimulatedAlgorithm, T> {
  const record = {} as Record<SimulatedAlgorithm, T>;
  ALGORITHMS.forEach((algorithm, i) => (record[algorithm] = make(algorithm, i)));
  return record;
}
