/**
 * Nanoseconds per root-span decision of `SamplaneSampler.shouldSample`, as a ratio against
 * OpenTelemetry's own `TraceIdRatioBasedSampler` measured in the same run: the price of
 * per-operation rates, lower bounds and counting over the cheapest sampler an application
 * could have instead.
 *
 * The Samplane sampler has polled a real loopback server for what Samplane serves an adaptive
 * service: 50 operations with their own rates, a default, and the lower bound of one trace a
 * minute per operation, which makes every decision read the clock. A second Samplane row uses
 * a plain probabilistic strategy, to show what the lower bound costs. Decisions cycle over the
 * 50 span names (constant strings, as route-named spans are) and 64 Ki random trace ids
 * prepared beforehand, so the loop measures the samplers, not the generation of their input.
 *
 * Samplers run in alternating rounds after a warm-up; the verdict is the median over rounds
 * of each round's samplane/ratio-based time. Minor GCs per million decisions are shown as a
 * witness of allocation: the ratio-based sampler allocates a result per decision; Samplane's
 * hands out prebuilt ones, and allocates only the number a clock read returns (the lower
 * bound's), which the row without a lower bound shows.
 *
 * Environment knobs: BENCH_ROUNDS (default 7), BENCH_CLIENT_DECISIONS (per round, default
 * 2,000,000).
 */
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { SamplaneSampler } from '../src/client/samplane-sampler';
import type { Benchmark } from './support/benchmark';
import { median } from './support/load';

/**
 * Target: a decision costs at most twice the ratio-based sampler's. Both parse the trace id;
 * Samplane adds a map lookup by span name, a counter and, under a lower bound, a clock read —
 * on the order of the ratio-based sampler's whole work, not a multiple of it.
 */
const TARGET_RATIO = 2;
const OPERATIONS = 50;
const PROBABILITY = 0.01;
const ROUNDS = positiveIntegerFromEnv('BENCH_ROUNDS', 7);
const DECISIONS = positiveIntegerFromEnv('BENCH_CLIENT_DECISIONS', 2_000_000);
const TRACE_IDS = 1 << 16;
const WARM_UP_ROUNDS = 2;

export const clientOverhead: Benchmark = { name: 'client sampling overhead', run };

interface Contestant {
  name: string;
  sampler: Sampler & { shutdown?(): void };
}

interface Measurement {
  nsPerDecision: number;
  gcsPerMillion: number;
}

async function run(): Promise<boolean> {
  const names = Array.from({ length: OPERATIONS }, (_, i) => `GET /api/resource-${i}`);
  const adaptive = await serve(adaptiveStrategy(names));
  const probabilistic = await serve(
    JSON.stringify({ strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: PROBABILITY } }),
  );
  const contestants: Contestant[] = [
    { name: 'ratio-based', sampler: new TraceIdRatioBasedSampler(PROBABILITY) },
    { name: 'samplane', sampler: await polledSampler(adaptive) },
    { name: 'samplane (no lower bound)', sampler: await polledSampler(probabilistic) },
  ];
  const gcs = countMinorGcs();
  try {
    const traceIds = Array.from({ length: TRACE_IDS }, () => randomBytes(16).toString('hex'));
    console.log(
      `root-span decisions over ${OPERATIONS} span names and ${TRACE_IDS} trace ids, probability ${PROBABILITY}; ` +
        `${ROUNDS} alternating rounds of ${DECISIONS} decisions per sampler after ${WARM_UP_ROUNDS} warm-up rounds`,
    );
    console.log(`target: samplane ≤ ${TARGET_RATIO} × ratio-based ns/decision (median of rounds)`);
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      for (const contestant of contestants) decide(contestant.sampler, names, traceIds);
    }

    printRow(['round', 'sampler', 'ns/decision', '÷ ratio-based', 'minor GCs/M']);
    const rounds: Array<Map<Contestant, Measurement>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? contestants : [...contestants].reverse();
      const results = new Map<Contestant, Measurement>();
      for (const contestant of order) results.set(contestant, await measure(contestant, names, traceIds, gcs));
      rounds.push(results);
      const baseline = results.get(contestants[0]) as Measurement;
      for (const contestant of contestants) {
        const result = results.get(contestant) as Measurement;
        printRow([String(round), contestant.name, ...format(result, result.nsPerDecision / baseline.nsPerDecision)]);
      }
    }

    const ratios = new Map<Contestant, number>();
    for (const contestant of contestants) {
      const own = rounds.map((round) => round.get(contestant) as Measurement);
      const base = rounds.map((round) => round.get(contestants[0]) as Measurement);
      const ratio = median(own.map((m, i) => m.nsPerDecision / base[i].nsPerDecision));
      ratios.set(contestant, ratio);
      const summary = {
        nsPerDecision: median(own.map((m) => m.nsPerDecision)),
        gcsPerMillion: median(own.map((m) => m.gcsPerMillion)),
      };
      printRow(['median', contestant.name, ...format(summary, ratio)]);
    }

    const ratio = ratios.get(contestants[1]) as number;
    const passed = ratio <= TARGET_RATIO;
    console.log(
      `samplane/ratio-based ns per decision ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}); ` +
        `without a lower bound ${(ratios.get(contestants[2]) as number).toFixed(2)}: ${passed ? 'PASS' : 'FAIL'}`,
    );
    return passed;
  } finally {
    gcs.stop();
    for (const contestant of contestants) contestant.sampler.shutdown?.();
    await Promise.all([close(adaptive), close(probabilistic)]);
  }
}

async function measure(
  contestant: Contestant,
  names: string[],
  traceIds: string[],
  gcs: ReturnType<typeof countMinorGcs>,
): Promise<Measurement> {
  await settle();
  const gcsBefore = gcs.count();
  const started = process.hrtime.bigint();
  const sampled = decide(contestant.sampler, names, traceIds);
  const elapsed = Number(process.hrtime.bigint() - started);
  // GC entries are delivered after the loop, on a later turn of the event loop.
  await settle();
  if (sampled === 0) throw new Error(`${contestant.name} sampled nothing: the loop measured no real work`);
  return {
    nsPerDecision: elapsed / DECISIONS,
    gcsPerMillion: ((gcs.count() - gcsBefore) * 1_000_000) / DECISIONS,
  };
}

/** The measured loop; the sampled count keeps the work from being optimized away. */
function decide(sampler: Sampler, names: string[], traceIds: string[]): number {
  const attributes = {};
  const links: never[] = [];
  let sampled = 0;
  for (let i = 0; i < DECISIONS; i++) {
    const result = sampler.shouldSample(
      ROOT_CONTEXT,
      traceIds[i & (TRACE_IDS - 1)],
      names[i % OPERATIONS],
      SpanKind.SERVER,
      attributes,
      links,
    );
    if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled;
}

/** What Samplane serves an adaptive service: every operation listed, a default, a lower bound. */
function adaptiveStrategy(names: string[]): string {
  return JSON.stringify({
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0.001 },
    operationSampling: {
      defaultSamplingProbability: 0.001,
      defaultLowerBoundTracesPerSecond: 1 / 60,
      perOperationStrategies: names.map((operation) => ({
        operation,
        probabilisticSampling: { samplingRate: PROBABILITY },
      })),
      defaultUpperBoundTracesPerSecond: 0,
    },
  });
}

/** A loopback server answering every poll with `strategy`. */
async function serve(strategy: string): Promise<Server> {
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(strategy);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function polledSampler(server: Server): Promise<SamplaneSampler> {
  const { port } = server.address() as AddressInfo;
  const sampler = new SamplaneSampler({
    endpoint: `http://127.0.0.1:${port}`,
    serviceName: 'checkout',
    pollIntervalMs: 3_600_000,
  });
  if (!(await sampler.poll())) throw new Error('the Samplane sampler could not poll its strategy');
  return sampler;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function countMinorGcs(): { count(): number; stop(): void } {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { count: () => minor, stop: () => observer.disconnect() };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

function format(result: Measurement, ratio: number): string[] {
  return [result.nsPerDecision.toFixed(1), ratio.toFixed(2), result.gcsPerMillion.toFixed(1)];
}

const COLUMN_WIDTHS = [7, 26, 12, 14, 12];

function printRow(cells: string[]): void {
  console.log(
    cells
      .map((cell, index) => (index < 2 ? cell.padEnd(COLUMN_WIDTHS[index]) : cell.padStart(COLUMN_WIDTHS[index])))
      .join(' '),
  );
}

function positiveIntegerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
