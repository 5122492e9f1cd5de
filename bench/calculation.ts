/**
 * One adaptive calculation over 10,000 services × 100 operations, through the engine as a
 * replica runs it: `mergeThroughput` turns the interval's records into the newest bucket,
 * `JaegerCalculator.calculate` walks the whole window (ADAPTIVE_AGGREGATION_BUCKETS buckets,
 * the steady state of a leader), then `composeStrategies` and `ServingSnapshot.build` give
 * every service its encoded answer. Times are medians over a few ticks, and each is also
 * shown per operation and as a ratio to a baseline measured in the same process: one pass
 * over the same merged bucket copying each operation's QPS, the least any calculation over
 * that input does.
 *
 * The measuring runs in a child process (bench/calculation-child.ts) with --expose-gc and a
 * heap limit raised well past the default, so that it reports what the engine needs instead
 * of dying at the limit; the verdict compares that with the default limit, the one a replica
 * started as `node dist/cli.js serve` gets on this machine.
 *
 * Targets, both from what a replica must keep doing while it calculates:
 * - Every phase runs synchronously, so each blocks the event loop: merge + calculate on the
 *   leader in one stretch, compose + encode on every replica in another. Neither may outlast
 *   the leader lease's slack, its TTL minus the renewal period (15 s − 5 s by default): the
 *   renewal cannot run during the block, and a lease that lapses mid-calculation fences the
 *   calculation's save out, so the result is thrown away. (Polls stall for the whole block
 *   too; the slack is an upper bound, not a comfortable one.)
 * - The heap still held after a tick (window, calculator state, result, serving snapshot)
 *   must stay within half the default heap limit: the other half is for what a replica holds
 *   besides (the parsed probabilities document, the previous snapshot while the next one is
 *   built) and for the garbage a calculation makes.
 *
 * `samplane` is measured beside it over the same fleet, in CPU time: it folds the newest bucket
 * (exact request counts and their recent part) into per-operation estimates kept in a table,
 * and must cost at most about a second for a million operations.
 *
 * Environment knob: BENCH_CALCULATION_RUNS (default 3).
 */
import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import type { CalculationMeasurements, SamplaneMeasurements, TickTimes } from './calculation-child';
import type { Benchmark } from './support/benchmark';
import { positiveIntegerFromEnv } from './support/env';
import { median } from './support/load';

const execFileAsync = promisify(execFile);

const SERVICES = 10_000;
const OPERATIONS = 100;
const RUNS = positiveIntegerFromEnv('BENCH_CALCULATION_RUNS', 3);
const MAX_HEAP_SHARE = 0.5;
/** `samplane` folds one bucket per tick: a million operations in about a second of CPU. */
const SAMPLANE_CPU_MS = 1_000;
const PHASES: (keyof TickTimes)[] = ['merge', 'calculate', 'compose', 'encode'];

export const calculation: Benchmark = { name: 'calculation', run };

async function run(): Promise<boolean> {
  const defaultHeapLimit = getHeapStatistics().heap_size_limit;
  // Room to measure past the default limit, without reaching for memory the machine lacks.
  const heapLimitMb = Math.floor(Math.min(totalmem() * 0.6, 4 * defaultHeapLimit) / 2 ** 20);
  const m = JSON.parse(await child(heapLimitMb)) as CalculationMeasurements;
  const operations = SERVICES * OPERATIONS;

  console.log(
    `${SERVICES} services × ${OPERATIONS} operations; window of ${m.aggregationBuckets} buckets ` +
      `(ADAPTIVE_AGGREGATION_BUCKETS), ${m.calculationIntervalMs / 1000} s interval; ${RUNS} ticks, ` +
      `child heap limit ${gb(m.heapLimitBytes)} (default here ${gb(defaultHeapLimit)})`,
  );
  printRow(['phase', ...m.runs.map((_, i) => `tick ${i + 1} ms`), 'median ms', 'ns/op', '÷ copy']);
  const copy = median(m.runs.map((r) => r.copy));
  for (const phase of [...PHASES, 'copy' as const]) {
    const value = median(m.runs.map((r) => r[phase]));
    printRow([
      phase === 'copy' ? 'copy (baseline)' : phase,
      ...m.runs.map((r) => Math.round(r[phase]).toString()),
      Math.round(value).toString(),
      Math.round((value * 1e6) / operations).toString(),
      (value / copy).toFixed(1),
    ]);
  }
  const total = median(m.runs.map((r) => PHASES.reduce((sum, phase) => sum + r[phase], 0)));
  console.log(
    `tick total ${(total / 1000).toFixed(1)} s (${Math.round((total * 1e6) / operations)} ns/op, ` +
      `${((total / m.calculationIntervalMs) * 100).toFixed(0)} % of the interval); ` +
      `served answers ${mb(m.servedBytes)} JSON + protobuf`,
  );
  const window = m.heapWithWindowBytes - m.heapBeforeWindowBytes;
  const perBucket = window / ((m.aggregationBuckets - 1) * operations);
  console.log(
    `heap held: ${m.aggregationBuckets - 1} buckets ${mb(window)} (${Math.round(perBucket)} B per operation ` +
      `per bucket); after a tick ${mb(m.heapAfterTickBytes - m.heapAtStartBytes)}; largest seen ` +
      `${mb(m.heapPeakSeenBytes)} (garbage included), default limit ${mb(defaultHeapLimit)}; peak RSS ${mb(m.maxRssBytes)}`,
  );

  const slackMs = m.leaderLeaseMs - m.leaderLeaseMs / 3;
  const leaderBlock = median(m.runs.map((r) => r.merge + r.calculate));
  const replicaBlock = median(m.runs.map((r) => r.compose + r.encode));
  const heapShare = m.heapAfterTickBytes / defaultHeapLimit;
  const blocksFit = leaderBlock <= slackMs && replicaBlock <= slackMs;
  const heapFits = heapShare <= MAX_HEAP_SHARE;
  console.log(
    `longest blocks: merge + calculate ${(leaderBlock / 1000).toFixed(1)} s, compose + encode ` +
      `${(replicaBlock / 1000).toFixed(1)} s (target ≤ ${slackMs / 1000} s, the lease's slack): ` +
      `${blocksFit ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `heap after a tick ${(heapShare * 100).toFixed(0)} % of the default limit (target ≤ ${MAX_HEAP_SHARE * 100} %): ` +
      `${heapFits ? 'PASS' : 'FAIL'}`,
  );
  return (await runSamplane(heapLimitMb)) && blocksFit && heapFits;
}

/** `samplane` over the same fleet, in a child of its own: CPU per tick against its copy baseline. */
async function runSamplane(heapLimitMb: number): Promise<boolean> {
  const m = JSON.parse(await child(heapLimitMb, { MEASURE: 'samplane' })) as SamplaneMeasurements;
  const operations = SERVICES * OPERATIONS;
  console.log(`samplane over the same fleet, newest bucket folded in each tick (a process of its own):`);
  printRow(['phase', ...m.cpu.map((_, i) => `tick ${i + 1} ms`), 'median ms', 'ns/op', '÷ copy']);
  const copy = median(m.copy);
  const rows: [string, number[]][] = [
    ['calculate (CPU)', m.cpu],
    ['calculate (wall)', m.wall],
    ['copy (baseline)', m.copy],
  ];
  for (const [name, values] of rows) {
    const value = median(values);
    printRow([name, ...values.map((v) => Math.round(v).toString()), Math.round(value).toString(), Math.round((value * 1e6) / operations).toString(), (value / copy).toFixed(1)]);
  }
  const cpu = median(m.cpu);
  console.log(`samplane state and last result held (heap and typed arrays): ${mb(m.heapHeldBytes)} (${Math.round(m.heapHeldBytes / operations)} B per operation); peak RSS ${mb(m.maxRssBytes)}`);
  const fits = cpu <= SAMPLANE_CPU_MS;
  console.log(
    `samplane calculation ${(cpu / 1000).toFixed(2)} s of CPU for ${operations.toLocaleString('en-US')} operations ` +
      `(target ≤ ${SAMPLANE_CPU_MS / 1000} s): ${fits ? 'PASS' : 'FAIL'}`,
  );
  return fits;
}

async function child(heapLimitMb: number, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--expose-gc', `--max-old-space-size=${heapLimitMb}`, join(__dirname, 'calculation-child.js')],
    {
      env: { PATH: process.env.PATH ?? '', SERVICES: String(SERVICES), OPERATIONS: String(OPERATIONS), RUNS: String(RUNS), ...env },
      maxBuffer: 1024 * 1024,
    },
  );
  return stdout;
}

function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

function printRow(cells: string[]): void {
  console.log(cells.map((cell, index) => (index === 0 ? cell.padEnd(16) : cell.padStart(10))).join(' '));
}
