/**
 * The measuring half of bench/calculation.ts, in a process of its own so that its heap holds
 * nothing but the engine's state and what it measures. Runs with --expose-gc and prints one
 * JSON document (`CalculationMeasurements`) on stdout.
 *
 * The engine is loaded from `dist/`, the code `samplane serve` runs: the serving snapshot
 * reads its `.proto` files from beside the compiled code, which only the build puts there.
 *
 * Environment: SERVICES, OPERATIONS, RUNS.
 */
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Probabilities } from '../src/sampling/calculator';
import type { PackedBucket } from '../src/sampling/packed-bucket';
import type { OperationThroughput, ServiceThroughput, ThroughputRecord } from '../src/sampling/throughput';
import type { ServingSnapshot } from '../src/serving/serving-snapshot';

/** Milliseconds of each phase of one calculation tick. */
export interface TickTimes {
  /** `mergeThroughput`: the replicas' records for the interval → the newest bucket. */
  merge: number;
  /** `JaegerCalculator.calculate` over the whole window of buckets. */
  calculate: number;
  /** `composeStrategies`: what every service is served. */
  compose: number;
  /** `ServingSnapshot.build`: every service's answer encoded as JSON and protobuf. */
  encode: number;
  /** The baseline: one pass over the same merged bucket, copying each operation's QPS. */
  copy: number;
}

export interface CalculationMeasurements {
  /** The engine's settings: every default, as an unconfigured replica runs. */
  aggregationBuckets: number;
  calculationIntervalMs: number;
  leaderLeaseMs: number;
  heapLimitBytes: number;
  /** Heap in use after gc before any engine state existed. */
  heapAtStartBytes: number;
  /** Heap held, after gc, once the calculator holds the served probabilities, before any bucket. */
  heapBeforeWindowBytes: number;
  /** Heap held, after gc, once the window is full (all buckets but the one each tick adds). */
  heapWithWindowBytes: number;
  /** Heap held, after gc, after the last tick: window, calculator, result, serving snapshot. */
  heapAfterTickBytes: number;
  /** Largest heap in use seen at the end of any phase, before gc: a floor for the peak. */
  heapPeakSeenBytes: number;
  maxRssBytes: number;
  servedBytes: number;
  runs: TickTimes[];
}

/**
 * `SamplaneCalculator.calculate` after each newest bucket (exact request counts with their
 * recent part, packed as the engine reads an interval), measured in a child of its own (MEASURE=samplane) so that no Jaeger window
 * shares its heap: it folds one bucket per tick, not a window.
 */
export interface SamplaneMeasurements {
  /** CPU milliseconds of this process per tick (collections included). */
  cpu: number[];
  wall: number[];
  /** The baseline of the same process: one pass over the bucket copying each operation's rate. */
  copy: number[];
  /** Heap and typed arrays held, after gc, by the calculator's state and last result. */
  heapHeldBytes: number;
  maxRssBytes: number;
}

const DIST = join(__dirname, '..', '..', 'dist');
const SERVICES = Number(process.env.SERVICES);
const OPERATIONS = Number(process.env.OPERATIONS);
const RUNS = Number(process.env.RUNS);

/** The compiled modules the benchmark drives, typed from their sources. */
interface Engine {
  calculator: typeof import('../src/sampling/jaeger/jaeger-calculator');
  samplane: typeof import('../src/sampling/samplane/samplane-calculator');
  throughput: typeof import('../src/sampling/throughput');
  compose: typeof import('../src/serving/compose-strategies');
  snapshot: typeof import('../src/serving/serving-snapshot');
  format: typeof import('../src/sampling/jaeger/format-probability');
  config: typeof import('../src/config/load-config');
  columns: typeof import('../src/sampling/input-columns');
  packed: typeof import('../src/sampling/packed-bucket');
}

async function loadEngine(): Promise<Engine> {
  const load = <T>(path: string): Promise<T> => import(join(DIST, path)) as Promise<T>;
  return {
    calculator: await load('sampling/jaeger/jaeger-calculator.js'),
    samplane: await load('sampling/samplane/samplane-calculator.js'),
    throughput: await load('sampling/throughput.js'),
    compose: await load('serving/compose-strategies.js'),
    snapshot: await load('serving/serving-snapshot.js'),
    format: await load('sampling/jaeger/format-probability.js'),
    config: await load('config/load-config.js'),
    columns: await load('sampling/input-columns.js'),
    packed: await load('sampling/packed-bucket.js'),
  };
}

async function main(): Promise<CalculationMeasurements | SamplaneMeasurements> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const engine = await loadEngine();
  if (process.env.MEASURE === 'samplane') return measureSamplane(engine, gc);
  const { JaegerCalculator } = engine.calculator;
  const { mergeThroughput } = engine.throughput;
  const { composeStrategies } = engine.compose;
  const { formatProbability } = engine.format;
  const adaptive = engine.config.loadConfig({}).adaptive;
  const intervalSeconds = adaptive.calculationIntervalMs / 1000;
  const defaults = {
    initialSamplingProbability: adaptive.initialSamplingProbability,
    minSamplesPerSecond: adaptive.minSamplesPerSecond,
  };
  const heapAfterGc = (): number => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  let heapPeakSeen = 0;
  const notePeak = (): void => {
    heapPeakSeen = Math.max(heapPeakSeen, process.memoryUsage().heapUsed);
  };
  const timed = <T>(work: () => T): [T, number] => {
    const started = performance.now();
    const value = work();
    const elapsed = performance.now() - started;
    notePeak();
    return [value, elapsed];
  };

  const operationNames = Array.from({ length: OPERATIONS }, (_, o) => `GET /api/v1/resource-${o}`);
  // Probabilities the fleet was served before the measured ticks: eight distinct rates, so
  // that most operations are away from the initial one and take the full adaptive check.
  const served: Probabilities = Object.create(null) as Probabilities;
  for (let s = 0; s < SERVICES; s++) {
    const operations = Object.create(null) as Record<string, number>;
    for (let o = 0; o < OPERATIONS; o++) operations[operationNames[o]] = 0.001 * (1 + ((s + o) % 8));
    served[`service-${s}`] = operations;
  }
  const format = memoizedFormat(formatProbability);

  /**
   * One interval's records as the store hands them over: every operation of every service,
   * sampled counts between 1 and 120 a minute (QPS around the default target of 1), each with
   * the probability its clients applied (the one served to them). Names are built afresh, as
   * decoding them from Redis does, so buckets share no strings.
   */
  const records = (applied: Probabilities): ThroughputRecord[] => {
    const out: ThroughputRecord[] = [];
    for (let s = 0; s < SERVICES; s++) {
      const service = `service-${s}`;
      const rates = applied[service];
      for (let o = 0; o < OPERATIONS; o++) {
        const operation = `GET /api/v1/resource-${o}`;
        out.push({
          service,
          operation,
          count: 1 + ((s * 31 + o * 17) % 120),
          probabilities: [format(rates[operation])],
        });
      }
    }
    return out;
  };

  const heapAtStart = heapAfterGc();
  const calculator = new JaegerCalculator(adaptive);
  calculator.restore(served);
  const heapBeforeWindow = heapAfterGc();
  // The window a leader holds in steady state: the buckets before the one each tick adds.
  for (let b = 0; b < adaptive.aggregationBuckets - 1; b++) {
    calculator.addBucket({ throughput: mergeThroughput(records(served)), intervalSeconds });
    notePeak();
  }
  const heapWithWindow = heapAfterGc();

  const runs: TickTimes[] = [];
  let applied = served;
  let snapshot: ServingSnapshot | undefined;
  for (let run = 1; run <= RUNS; run++) {
    const input = records(applied);
    gc();
    const [throughput, merge] = timed(() => mergeThroughput(input));
    const [, copy] = timed(() => copyQps(throughput, intervalSeconds));
    calculator.addBucket({ throughput, intervalSeconds });
    const [result, calculate] = timed(() => calculator.calculate());
    const [composed, compose] = timed(() =>
      composeStrategies(
        undefined,
        { version: run, computedAt: Date.now(), probabilities: result.probabilities, qps: engine.columns.qpsRecords(result.qps) },
        defaults,
        adaptive.maxOperations,
      ),
    );
    // The previous snapshot goes once the new one is built, as a replica swaps them.
    const [built, encode] = timed(() => engine.snapshot.ServingSnapshot.build(composed, run, Date.now()));
    snapshot = built;
    check(result.probabilities, applied, snapshot);
    runs.push({ merge, calculate, compose, encode, copy });
    // Clients apply what they were served; the next interval reports it.
    applied = result.probabilities;
  }
  const heapAfterTick = heapAfterGc();

  let servedBytes = 0;
  for (const [, entry] of (snapshot as ServingSnapshot).services()) servedBytes += entry.json.length + entry.proto.length;
  return {
    aggregationBuckets: adaptive.aggregationBuckets,
    calculationIntervalMs: adaptive.calculationIntervalMs,
    leaderLeaseMs: adaptive.leaderLeaseMs,
    heapLimitBytes: getHeapStatistics().heap_size_limit,
    heapAtStartBytes: heapAtStart,
    heapBeforeWindowBytes: heapBeforeWindow,
    heapWithWindowBytes: heapWithWindow,
    heapAfterTickBytes: heapAfterTick,
    heapPeakSeenBytes: heapPeakSeen,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    servedBytes,
    runs,
  };
}

/** The least any calculation over the bucket does: visit every operation, write one number. */
function copyQps(throughput: ServiceThroughput, intervalSeconds: number): Map<string, Map<string, number>> {
  const copy = new Map<string, Map<string, number>>();
  for (const [service, operations] of throughput) {
    const qps = new Map<string, number>();
    for (const [operation, counts] of operations) qps.set(operation, counts.count / intervalSeconds);
    copy.set(service, qps);
  }
  return copy;
}

function measureSamplane(engine: Engine, gc: () => void): SamplaneMeasurements {
  const adaptive = engine.config.loadConfig({ ADAPTIVE_ALGORITHM: 'samplane' }).adaptive;
  const intervalSeconds = adaptive.calculationIntervalMs / 1000;
  const format = memoizedFormat(engine.format.formatProbability);
  const heapAtStart = (gc(), heldBytes());
  const calculator = new engine.samplane.SamplaneCalculator(adaptive);
  // Warmed by one bucket so that every operation has its row, as after a leader's first tick.
  calculator.addBucket(engine.packed.PackedBucket.of(requestsBucket(undefined, 0, format, intervalSeconds)));
  let applied = calculator.calculate().probabilities;
  const cpu: number[] = [];
  const wall: number[] = [];
  const copy: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    // Packed, as the engine reads an interval (one array of numbers per service).
    const bucket = engine.packed.PackedBucket.of(requestsBucket(applied, run, format, intervalSeconds));
    gc();
    const copyStarted = performance.now();
    copyPackedQps(bucket, engine.packed, intervalSeconds);
    copy.push(performance.now() - copyStarted);
    gc();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    calculator.addBucket(bucket);
    const result = calculator.calculate();
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    checkCount(result.probabilities, applied);
    applied = result.probabilities;
  }
  gc();
  return { cpu, wall, copy, heapHeldBytes: heldBytes() - heapAtStart, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** The least a pass over a packed bucket does: each operation's rate, copied into a map per service. */
function copyPackedQps(bucket: PackedBucket, { PACKED, PACKED_WIDTH }: Engine['packed'], intervalSeconds: number): Map<string, Map<string, number>> {
  const copy = new Map<string, Map<string, number>>();
  for (const [service, { ops, values }] of bucket.services) {
    const qps = new Map<string, number>();
    for (let i = 0, at = 0; i < ops.length; i++, at += PACKED_WIDTH) qps.set(ops[i], values[at + PACKED.count] / intervalSeconds);
    copy.set(service, qps);
  }
  return copy;
}

/** The heap and the typed arrays outside it (the state table, the input columns). */
function heldBytes(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Formatted probabilities, remembered for the few distinct values a fleet is served. */
function memoizedFormat(formatProbability: (p: number) => string): (p: number) => string {
  const formatted = new Map<number, string>();
  return (p) => {
    let text = formatted.get(p);
    if (text === undefined) {
      text = formatProbability(p);
      if (formatted.size < 256) formatted.set(p, text);
    }
    return text;
  };
}

/**
 * One interval as `samplane` reads it: every operation's requests, counted exactly, between 10
 * and 1,200 a second and a little different at each tick, a quarter of them in the bucket's
 * recent part, with the probability its clients applied.
 */
function requestsBucket(
  applied: Probabilities | undefined,
  tick: number,
  format: (p: number) => string,
  intervalSeconds: number,
): { throughput: ServiceThroughput; intervalSeconds: number; recentSeconds: number } {
  const throughput: ServiceThroughput = new Map();
  for (let s = 0; s < SERVICES; s++) {
    const service = `service-${s}`;
    const operations = new Map<string, OperationThroughput>();
    for (let o = 0; o < OPERATIONS; o++) {
      const operation = `GET /api/v1/resource-${o}`;
      const requests = intervalSeconds * 10 * (1 + ((s * 31 + o * 17 + tick * 7) % 120));
      const probabilities = applied ? [format(applied[service][operation])] : [];
      operations.set(operation, { count: requests, exact: requests, errors: 0, outcomes: requests, recent: requests / 4, probabilities });
    }
    throughput.set(service, operations);
  }
  return { throughput, intervalSeconds, recentSeconds: intervalSeconds / 4 };
}

/** A run that computed nothing must not pass for a fast one. */
function checkCount(computed: Probabilities, previous: Probabilities): void {
  let operations = 0;
  let changed = 0;
  for (const [service, rates] of Object.entries(computed)) {
    for (const [operation, p] of Object.entries(rates)) {
      operations++;
      if (p !== previous[service]?.[operation]) changed++;
    }
  }
  if (operations !== SERVICES * OPERATIONS) {
    throw new Error(`calculated ${operations} probabilities, expected ${SERVICES * OPERATIONS}`);
  }
  if (changed === 0) throw new Error('the calculation changed no probability');
}

/** A run that computed nothing, or served something else, must not pass for a fast one. */
function check(computed: Probabilities, previous: Probabilities, snapshot: ServingSnapshot): void {
  checkCount(computed, previous);
  const served = [...snapshot.services()];
  const listed = served[0]?.[1].strategy.operationSampling?.perOperationStrategies.length;
  if (served.length !== SERVICES || listed !== OPERATIONS) {
    throw new Error(`the snapshot serves ${served.length} services (${listed} operations in the first)`);
  }
}

main().then(
  (measurements) => {
    process.stdout.write(`${JSON.stringify(measurements)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
