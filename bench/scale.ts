/**
 * `npm run bench scale`: a whole fleet on this machine, as it will be run for acceptance. Two
 * replicas share one Redis; a load generator (a process of its own) has every service report
 * all its operations every 5 s through the report API, staggered and alternating replicas;
 * pollers (another process) poll both replicas during the calculations; the harness watches
 * /metrics, RSS and Redis, then checks what the replicas serve against target ÷ rate.
 *
 * Sizes (BENCH_SCALE_SIZES, comma-separated, default the first three): `200k` (2,000 services ×
 * 100 operations), `1m` (10,000 × 100), `200k-cluster` (200k on a six-node Redis Cluster),
 * `200k-sentinel` (200k on a primary and its replica behind three sentinels); any
 * `SERVICESxOPERATIONS`, with `-cluster`, `-sentinel` or neither, works too, and `-distinct` after any of them
 * names every service's operations its own way (by default all services name theirs alike).
 * Other knobs: BENCH_SCALE_DURATION (seconds of load per size, default 120), BENCH_SCALE_INTERVAL
 * (calculation interval, s, default 10), BENCH_SCALE_POLLS (polls/s per replica, default 200),
 * BENCH_SCALE_TAKEOVER (1, the default: after the load, kill -9 the leader and time the survivor's
 * takeover under the whole load; 0: no kill), BENCH_SCALE_FULL_HISTORY (1, the default: the kill
 * waits, under load, for a full window of calculated intervals, which a new leader then folds as
 * its history, as it would in a fleet that has run a while; 0: kill after the load whatever the
 * history); BENCH_SCALE_FAILOVER (1, the default: on a cluster, kill -9 the master holding the
 * lease and the manifest halfway through the load, behind sentinels the primary, and time how
 * soon a version is saved again;
 * 0: no kill) and BENCH_SCALE_NODE_TIMEOUT (the cluster's `cluster-node-timeout`, ms, default
 * 1000; Redis's own default, 15000, makes the failover last as long as it would in production);
 * FLEET_NODE_ARGS (node flags for the replicas), FLEET_REPLICA_ENV (more of their
 * environment, `NAME=value …`) and FLEET_REPLICA_LOG_DIR (their whole output to files) when
 * investigating.
 *
 * It takes minutes per size, so `npm run bench` without names leaves it out. Targets are the
 * acceptance figures; a miss is tracked (printed), not fatal.
 */
import { runLargeFleet, type FleetRunResult } from '../test/support/large-fleet/fleet-run';
import type { FleetTopology } from '../test/support/large-fleet/fleet-redis';
import { describeRun, replicaTails } from '../test/support/large-fleet/fleet-report';
import type { Benchmark } from './support/benchmark';
import { positiveIntegerFromEnv } from './support/env';
import { JAEGER_DEFAULTS } from '../src/sampling/adaptive-options';

export const scale: Benchmark = { name: 'scale', run };

/** The acceptance targets, each checked per run. */
export const SCALE_TARGETS = {
  pollP99Ms: 25,
  pollMaxMs: 250,
  largestValueBytes: 2 ** 20,
  slowestRedisCommandMs: 50,
  rssBytes: 2 ** 30,
  accuracyWithin: 0.3,
  /** Share of checked operations that must be within the tolerance. */
  accurateShare: 0.95,
};

interface Size {
  label: string;
  services: number;
  operations: number;
  topology: FleetTopology;
  distinctNames: boolean;
}

const NAMED: Record<string, Omit<Size, 'label' | 'distinctNames'>> = {
  '200k': { services: 2_000, operations: 100, topology: 'single' },
  '1m': { services: 10_000, operations: 100, topology: 'single' },
  '200k-cluster': { services: 2_000, operations: 100, topology: 'cluster' },
  '200k-sentinel': { services: 2_000, operations: 100, topology: 'sentinel' },
};
/** What a run of every size named by default holds: the sentinels' run only when asked for. */
const DEFAULT_SIZES = ['200k', '1m', '200k-cluster'];
const DISTINCT = '-distinct';

function sizes(): Size[] {
  const raw = process.env.BENCH_SCALE_SIZES?.trim() || DEFAULT_SIZES.join(',');
  return raw.split(',').map((entry) => {
    const label = entry.trim();
    const distinctNames = label.endsWith(DISTINCT);
    const base = distinctNames ? label.slice(0, -DISTINCT.length) : label;
    const named = NAMED[base];
    if (named) return { label, ...named, distinctNames };
    const match = /^(\d+)x(\d+)(?:-(cluster|sentinel))?$/.exec(base);
    if (!match) {
      throw new Error(`BENCH_SCALE_SIZES: "${label}" is neither ${Object.keys(NAMED).join(', ')} nor SERVICESxOPERATIONS[-cluster|-sentinel], each with ${DISTINCT} or not`);
    }
    return { label, services: Number(match[1]), operations: Number(match[2]), topology: (match[3] as FleetTopology | undefined) ?? 'single', distinctNames };
  });
}

async function run(): Promise<boolean> {
  const loadSeconds = positiveIntegerFromEnv('BENCH_SCALE_DURATION', 120);
  const interval = positiveIntegerFromEnv('BENCH_SCALE_INTERVAL', 10);
  const polls = positiveIntegerFromEnv('BENCH_SCALE_POLLS', 200);
  const takeover = process.env.BENCH_SCALE_TAKEOVER?.trim() !== '0';
  // A window of kept intervals needs a calculation each: the first version, then one per interval.
  const fullHistory = takeover && process.env.BENCH_SCALE_FULL_HISTORY?.trim() !== '0';
  const failover = process.env.BENCH_SCALE_FAILOVER?.trim() !== '0';
  const nodeTimeoutMs = positiveIntegerFromEnv('BENCH_SCALE_NODE_TIMEOUT', 1_000);
  let passed = true;
  for (const size of sizes()) {
    const naming = size.distinctNames ? ', every service naming its operations its own way' : '';
    console.log(`\n-- ${size.label}: ${size.services} services × ${size.operations} operations${naming}, ${size.topology} Redis, ${loadSeconds} s of load`);
    const result = await runLargeFleet({
      shape: { services: size.services, operations: size.operations, reportPeriodSeconds: 5, targetSamplesPerSecond: 1, distinctNames: size.distinctNames },
      topology: size.topology,
      loadSeconds,
      calculationIntervalSeconds: interval,
      pollsPerSecond: polls,
      accuracyServices: 100,
      takeover,
      failover: failover && size.topology !== 'single',
      clusterNodeTimeoutMs: nodeTimeoutMs,
      ...(fullHistory && { untilVersion: JAEGER_DEFAULTS.aggregationBuckets + 1 }),
      log: (line) => console.log(line),
      handleSignals: true,
    });
    const verdicts = judge(result);
    const missed = verdicts.filter((v) => !v.pass);
    console.log('');
    for (const v of verdicts) console.log(`${v.pass ? 'PASS' : 'MISS'}  ${v.name.padEnd(16)} ${v.measured.padEnd(44)} target ${v.target}`);
    console.log(['', ...describeRun(result), ...(missed.length > 0 ? replicaTails(result) : [])].join('\n'));
    console.log(`${size.label}: ${missed.length === 0 ? 'PASS' : `MISS (${missed.map((v) => v.name).join(', ')})`}`);
    passed &&= missed.length === 0;
  }
  return passed;
}

interface Verdict {
  name: string;
  measured: string;
  target: string;
  pass: boolean;
}

function judge(r: FleetRunResult): Verdict[] {
  const t = SCALE_TARGETS;
  const computed = r.replicas.reduce((sum, x) => sum + x.computed, 0);
  // The next tick is scheduled an interval after a tick ends (its calculation, then the state
  // saved for the next leader), and the first finds no data.
  const durations = r.calculations.map((c) => c.seconds).sort((a, b) => a - b);
  const saves = r.replicas.reduce((sum, x) => sum + x.stateSaves, 0);
  const saveSeconds = saves > 0 ? r.replicas.reduce((sum, x) => sum + x.stateSaveSeconds, 0) / saves : 0;
  const cycle = r.options.calculationIntervalSeconds + (durations[Math.floor(durations.length / 2)] ?? 0) + saveSeconds;
  // A takeover's gap (from the kill to the new leader's first save) holds no calculation, nor
  // does a failover's (from the master's kill to the next save).
  const gap = (r.takeover?.savedAfterSeconds ?? 0) + (r.failover?.savedAfterSeconds ?? 0);
  const expected = Math.floor((r.watchedSeconds - gap) / cycle) - 1;
  // Calculations may fail while a master is down; after the next save none may.
  const failed = r.replicas.reduce((sum, x) => sum + x.failedAfterFailover, 0);
  const failedInFailover = r.replicas.reduce((sum, x) => sum + x.failed + x.fenced, 0) - failed;
  const pollP99 = Math.max(...r.polls.targets.map((p) => p.p99Ms));
  const pollMax = Math.max(...r.polls.targets.map((p) => p.maxMs));
  const pollFailures = r.polls.targets.reduce((sum, p) => sum + p.failed + p.errors, 0) + r.polls.unanswered;
  const reportFailures = r.reports.rejected + r.reports.errors + r.reports.skipped + r.reports.unanswered;
  const accurate = Math.min(...r.accuracy.map((a) => a.within / Math.max(1, a.checked)));
  const largest = r.redis.keys.largest[0];
  const slowest = r.redis.slow[0];
  const rss = Math.max(...r.replicas.map((x) => x.rssMaxBytes));
  const lease = r.takeover ? 2 * r.takeover.leaseSeconds : 0;
  const takeover: Verdict[] = r.takeover
    ? [
        {
          name: 'takeover',
          measured: `led ${seconds(r.takeover.leaderAfterSeconds)}, saved ${seconds(r.takeover.savedAfterSeconds)} after the kill`,
          target: `first save ≤ 2 leases (${lease} s)`,
          pass: (r.takeover.savedAfterSeconds ?? Infinity) <= lease,
        },
      ]
    : [];
  const failover: Verdict[] = r.failover
    ? [
        {
          name: 'master failover',
          measured: `killed :${r.failover.port} at ${r.failover.atSeconds.toFixed(0)} s, saved ${seconds(r.failover.savedAfterSeconds)} after`,
          target: `next save ≤ 2 leases (${2 * r.failover.leaseSeconds} s)`,
          pass: (r.failover.savedAfterSeconds ?? Infinity) <= 2 * r.failover.leaseSeconds,
        },
      ]
    : [];
  return [
    ...takeover,
    ...failover,
    {
      name: 'calculations',
      measured: `${computed} computed, ${failed} failed or fenced` + (r.failover ? ` (and ${failedInFailover} while the master was down)` : ''),
      target: `none failed${r.failover ? ' once a version was saved again' : ''}, ≥ ${expected} computed (one per interval + median duration + state save)`,
      pass: failed === 0 && computed >= expected,
    },
    {
      name: 'same version',
      measured: r.versions.replicas.map((v) => v ?? '?').join(' / '),
      target: `${r.takeover ? 'the survivor' : 'both'} at Redis's (${r.versions.redis}) within 2 intervals`,
      pass: r.versions.agreed,
    },
    {
      name: 'served rates',
      measured: `${(accurate * 100).toFixed(1)} % within ${t.accuracyWithin * 100} %`,
      target: `≥ ${t.accurateShare * 100} %`,
      pass: accurate >= t.accurateShare,
    },
    { name: 'poll p99', measured: `${pollP99.toFixed(1)} ms`, target: `≤ ${t.pollP99Ms} ms`, pass: pollP99 <= t.pollP99Ms },
    { name: 'poll max', measured: `${pollMax.toFixed(0)} ms`, target: `≤ ${t.pollMaxMs} ms`, pass: pollMax <= t.pollMaxMs },
    { name: 'poll failures', measured: String(pollFailures), target: '0 (non-200, errors, unanswered at the end)', pass: pollFailures === 0 },
    { name: 'report failures', measured: String(reportFailures), target: '0 (non-202, errors, skipped)', pass: reportFailures === 0 },
    {
      name: 'largest value',
      measured: largest ? `${kib(largest.bytes)} (${largest.key})` : 'no key',
      target: `≤ ${kib(t.largestValueBytes)}`,
      pass: (largest?.bytes ?? 0) <= t.largestValueBytes,
    },
    {
      name: 'Redis slowlog',
      measured: slowest ? `${(slowest.durationUs / 1000).toFixed(1)} ms (${slowest.command})` : 'none ≥ 10 ms',
      target: `≤ ${t.slowestRedisCommandMs} ms`,
      pass: (slowest?.durationUs ?? 0) <= t.slowestRedisCommandMs * 1000,
    },
    { name: 'replica RSS', measured: r.replicas.map((x) => mib(x.rssMaxBytes)).join(' / '), target: `≤ ${mib(t.rssBytes)}`, pass: rss <= t.rssBytes },
  ];
}

function seconds(value: number | undefined): string {
  return value === undefined ? 'never' : `${value.toFixed(1)} s`;
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
