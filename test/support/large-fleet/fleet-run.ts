import { type Accuracy, sampledServices, servedAccuracy } from './fleet-accuracy';
import { FleetRedis, type FleetTopology } from './fleet-redis';
import { FleetReplica } from './fleet-replica';
import { type FleetShape, operationsFragments, serviceNames } from './fleet-shape';
import { type CalculationSeen, type Propagation, calculationsSeen, counted, leaderChanges, propagation } from './fleet-summary';
import { type Takeover, killLeader } from './fleet-takeover';
import { FleetWatch } from './fleet-watch';
import { FleetWorker, type PollerResult, type ReporterResult } from './fleet-workers';
import { type KeySizes, type SlowCommand, cpuSecondsBetween, keySizes, redisCpuSeconds, resetSlowlog, slowCommands } from './redis-inspection';
import { type MasterFailover, killControlMaster, resumed, resumedAt } from './fleet-failover';

export interface FleetRunOptions {
  shape: FleetShape;
  topology: FleetTopology;
  /** How long the fleet reports before the final checks. */
  loadSeconds: number;
  /**
   * Keep reporting past `loadSeconds`, up to `loadSeconds` again, until the leader has saved
   * this many versions: a slow machine gets its calculations, and a stuck engine still fails.
   */
  untilVersion?: number;
  calculationIntervalSeconds: number;
  /** Polls per second sent to each replica. */
  pollsPerSecond: number;
  /** Services whose every operation is checked against target ÷ rate at the end. */
  accuracyServices: number;
  /**
   * After the load (and `untilVersion`), kill the leader with SIGKILL and keep the load on the
   * survivor until it has taken the lease and saved two versions, then run the final checks on it.
   */
  takeover?: boolean;
  /**
   * On a cluster or behind sentinels: halfway through the load, kill -9 the master holding the
   * lease and the manifest, and time how soon a version is saved again (its replica is promoted).
   */
  failover?: boolean;
  /** The cluster's `cluster-node-timeout` (ms): how long a killed master goes unnoticed. */
  clusterNodeTimeoutMs?: number;
  /** More environment for both replicas. */
  replicaEnv?: Record<string, string>;
  /** Progress lines; silent by default. */
  log?: (line: string) => void;
  /** Stop everything on SIGINT/SIGTERM (a standalone benchmark; Jest handles its own). */
  handleSignals?: boolean;
}

export interface ReplicaFigures {
  rssMaxBytes: number;
  /** When the RSS peaked (epoch ms), to place the peak against the calculations. */
  rssMaxAt: number | undefined;
  cpuSeconds: number | undefined;
  computed: number;
  failed: number;
  fenced: number;
  /** Failed or fenced once a version was saved again after a master's kill (all of them without one). */
  failedAfterFailover: number;
  skipped: number;
  flushFailures: number;
  droppedOperations: number;
  /** The calculator state's saves that completed, and their time in all (seconds). */
  stateSaves: number;
  stateSaveSeconds: number;
  /** The slowest /metrics answer: a replica blocked by a calculation answers it late too. */
  slowestScrapeMs: number;
  /** Part of the RSS: the largest heap the calculation thread reported, and outside it. */
  threadHeapMaxBytes: number;
  threadExternalMaxBytes: number;
}

export interface FleetRunResult {
  options: FleetRunOptions;
  /** Epoch ms of the first report. */
  loadStartedAt: number;
  /** From the first report to the last. */
  loadSeconds: number;
  /** From the first scrape to the last (the replicas' counters cover this time). */
  watchedSeconds: number;
  calculations: CalculationSeen[];
  leaderChanges: number;
  /** At the end, under load: whether both replicas came to serve the version in Redis. */
  versions: { agreed: boolean; redis: number; replicas: Array<number | undefined> };
  propagation: Propagation;
  /** With `takeover`: how long the survivor took to lead and to save. */
  takeover?: Takeover;
  /** With `failover`: which master was killed, when, and how soon a version was saved again. */
  failover?: MasterFailover;
  polls: PollerResult;
  reports: ReporterResult;
  /** Of each replica still running at the end. */
  accuracy: Array<Accuracy & { replica: number }>;
  replicas: ReplicaFigures[];
  redis: { slow: SlowCommand[]; cpuSeconds: number; keys: KeySizes };
  scrapeErrors: string[];
  /** CPU this process (the watcher) used over the run, seconds: it shares the cores too. */
  harnessCpuSeconds: number;
  /** The last output of each replica, for a failure message. */
  replicaOutput: string[];
}

const REPLICAS = 2;
/** The lease the replicas run with (the default, written out so a takeover can be judged against it). */
const LEASE_SECONDS = 15;
const SCRAPE_MS = 500;

/**
 * One large-fleet run: a Redis, two replicas, the load generator and the pollers in processes
 * of their own, watched from here; then the final checks, and everything stopped, whatever
 * happened.
 */
export async function runLargeFleet(options: FleetRunOptions): Promise<FleetRunResult> {
  const log = options.log ?? (() => undefined);
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the fleet`);
    void stopAll().finally(() => process.exit(130));
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    return await run(options, log, cleanup);
  } finally {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function run(options: FleetRunOptions, log: (line: string) => void, cleanup: Array<() => Promise<void>>): Promise<FleetRunResult> {
  const { shape } = options;
  const cpuAtStart = process.cpuUsage();
  const interval = options.calculationIntervalSeconds;
  log(`starting ${options.topology} Redis and ${REPLICAS} replicas`);
  const redis = await FleetRedis.start(options.topology, options.clusterNodeTimeoutMs);
  cleanup.push(() => redis.destroy());
  const replicas: FleetReplica[] = [];
  cleanup.push(() => Promise.all(replicas.map((r) => r.stop())).then(() => undefined));
  const env = {
    ...redis.replicaEnv,
    ADAPTIVE_CALCULATION_INTERVAL: `${interval}s`,
    ADAPTIVE_LEADER_LEASE: `${LEASE_SECONDS}s`,
    ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(shape.targetSamplesPerSecond),
    ...options.replicaEnv,
  };
  for (let i = 0; i < REPLICAS; i++) replicas.push(await FleetReplica.start(`replica-${i}`, env));
  await resetSlowlog(await redis.nodes('all'));
  const redisCpuBefore = await redisCpuSeconds(await redis.nodes('all'));

  const watch = new FleetWatch(replicas, redis.client, SCRAPE_MS);
  cleanup.push(() => watch.stop());
  const targets = replicas.map((r) => r.url);
  const services = serviceNames(shape);
  log(`reporting ${shape.services} services × ${shape.operations} operations every ${shape.reportPeriodSeconds} s`);
  const reporter = await FleetWorker.start<ReporterResult>('reporter', {
    targets,
    services,
    fragments: operationsFragments(shape),
    windowSeconds: shape.reportPeriodSeconds,
    periodMs: shape.reportPeriodSeconds * 1000,
    maxSockets: 16,
    // One whole round unanswered means the replicas stopped taking reports.
    maxInFlight: shape.services,
  });
  cleanup.push(() => reporter.killed());
  const loadStarted = Date.now();
  const poller = await FleetWorker.start<PollerResult>('poller', {
    targets,
    services,
    ratePerTarget: options.pollsPerSecond,
    maxSockets: 64,
  });
  cleanup.push(() => poller.killed());

  let failover: MasterFailover | undefined;
  for (let elapsed = 0; elapsed < options.loadSeconds; elapsed += interval) {
    await sleep(Math.min(interval, options.loadSeconds - elapsed) * 1000);
    if (options.failover && !failover && elapsed + interval >= options.loadSeconds / 2) {
      failover = await killControlMaster(redis, watch, loadStarted, LEASE_SECONDS);
      log(`  killed the ${options.topology} master holding ${failover.key} (:${failover.port}, kill -9) at v${failover.versionAtKill}; its replica takes over`);
    }
    const latest = replicas.map((_, i) => watch.latest(i));
    log(
      `  ${Math.round((Date.now() - loadStarted) / 1000)} s: versions ${latest.map((s) => s?.version ?? '?').join('/')}, ` +
        `computed ${latest.map((s) => s?.computed ?? '?').join('/')}, failed ${latest.map((s) => s?.failed ?? '?').join('/')}, ` +
        `RSS ${replicas.map((r) => mib(r.rssBytes() ?? 0)).join('/')}`,
    );
  }
  const extraUntil = Date.now() + options.loadSeconds * 1000;
  while (options.untilVersion !== undefined && (await watch.redisVersion()) < options.untilVersion && Date.now() < extraUntil) {
    await sleep(500);
  }

  const takeover = options.takeover ? await killLeader(replicas, watch, [reporter, poller], LEASE_SECONDS, log) : undefined;

  log('final checks: the replicas agree, and serve target ÷ rate');
  const live = replicas.map((_, i) => i).filter((i) => !watch.gone.has(i));
  const versions = await agreedVersion(watch, live, (2 * interval + 10) * 1000);
  const picked = sampledServices(shape, options.accuracyServices);
  const accuracy = await Promise.all(live.map(async (replica) => ({ replica, ...(await servedAccuracy(replicas[replica].url, shape, picked)) })));
  const polls = await poller.stop();
  const reports = await reporter.stop();
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  await watch.stop();
  for (const i of live) await watch.scrapeNow(i).catch(() => undefined);

  log('reading Redis: slow log, CPU, key sizes');
  const slow = await slowCommands(await redis.nodes('all'));
  const cpuSeconds = cpuSecondsBetween(redisCpuBefore, await redisCpuSeconds(await redis.nodes('all')));
  const keys = await keySizes(await redis.nodes('master'));

  const failedOver = failover && resumed(failover, watch, loadStarted);
  const since = resumedAt(failedOver, loadStarted);
  // Of the replicas still running: a killed one stopped being watched at the kill.
  const watchedSeconds = Math.min(...live.map((i) => watch.samples[i]).map((s) => (s.length > 1 ? (s[s.length - 1].at - s[0].at) / 1000 : 0)));
  return {
    options,
    loadStartedAt: loadStarted,
    loadSeconds,
    watchedSeconds,
    calculations: calculationsSeen(watch.samples),
    leaderChanges: leaderChanges(watch.samples),
    versions,
    propagation: propagation(watch.saved, watch.samples, 2 * interval * 1000, watch.gone),
    ...(takeover && { takeover }),
    ...(failedOver && { failover: failedOver }),
    polls,
    reports,
    accuracy,
    replicas: replicas.map((replica, i) => {
      const series = watch.samples[i];
      return {
        rssMaxBytes: Math.max(0, ...watch.rss[i].map((r) => r.bytes)),
        rssMaxAt: watch.rss[i].reduce<{ at: number; bytes: number } | undefined>((max, r) => (max && max.bytes >= r.bytes ? max : r), undefined)?.at,
        cpuSeconds: replica.cpuSeconds(),
        computed: counted(series, 'computed'),
        failed: counted(series, 'failed'),
        fenced: counted(series, 'fenced'),
        failedAfterFailover: counted(series, 'failed', since) + counted(series, 'fenced', since),
        skipped: counted(series, 'skipped'),
        flushFailures: counted(series, 'flushFailures'),
        droppedOperations: counted(series, 'droppedOperations'),
        stateSaves: counted(series, 'stateSaveCount'),
        stateSaveSeconds: counted(series, 'stateSaveSum'),
        slowestScrapeMs: Math.max(0, ...series.map((s) => s.scrapeMs)),
        threadHeapMaxBytes: Math.max(0, ...series.map((s) => s.threadHeapBytes)),
        threadExternalMaxBytes: Math.max(0, ...series.map((s) => s.threadExternalBytes)),
      };
    }),
    redis: { slow, cpuSeconds, keys },
    scrapeErrors: watch.scrapeErrors,
    harnessCpuSeconds: cpuSecondsSince(cpuAtStart),
    replicaOutput: replicas.map((r) => r.tail()),
  };
}

/** Waits until every replica still running serves the version in Redis; not agreed if they never did in time. */
async function agreedVersion(watch: FleetWatch, live: number[], timeoutMs: number): Promise<FleetRunResult['versions']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const redis = await watch.redisVersion();
    const replicas = live.map((i) => watch.latest(i)?.version);
    const agreed = redis > 0 && replicas.every((v) => v === redis);
    if (agreed || Date.now() > deadline) return { agreed, redis, replicas };
    await sleep(200);
  }
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
