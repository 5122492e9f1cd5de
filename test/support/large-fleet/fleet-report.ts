import type { FleetRunResult } from './fleet-run';
import { totalOperations } from './fleet-shape';

/** Polls at least this slow are shown as stalls, by the second they were issued in. */
const STALL_MS = 100;

/**
 * What a large-fleet run saw, as lines for a person: calculations and how long each replica
 * took to serve them, polls, reports, Redis and the replicas' resources.
 */
export function describeRun(r: FleetRunResult): string[] {
  const lines: string[] = [];
  const rel = (at: number) => `${((at - r.loadStartedAt) / 1000).toFixed(1).padStart(6)} s`;

  const operations = totalOperations(r.options.shape);
  const durations = r.calculations.map((c) => c.seconds).sort((a, b) => a - b);
  const computed = r.replicas.reduce((sum, x) => sum + x.computed, 0);
  lines.push(
    `calculations: ${computed} computed in ${r.watchedSeconds.toFixed(0)} s watched, ` +
      `failed ${r.replicas.map((x) => x.failed).join('/')}, fenced ${r.replicas.map((x) => x.fenced).join('/')}, ` +
      `skipped ${r.replicas.map((x) => x.skipped).join('/')}, leader changes ${r.leaderChanges}; ` +
      (durations.length > 0
        ? `duration median ${durations[Math.floor(durations.length / 2)].toFixed(2)} s, max ${durations[durations.length - 1].toFixed(2)} s`
        : 'no duration seen') +
      stateSaves(r),
  );
  const p = r.propagation;
  lines.push(
    `time to replicas (≤, scraped every 0.5 s): median ${seconds(p.medianSeconds)}, max ${seconds(p.maxSeconds)}, ` +
      `${p.unreached} version(s) some replica never served`,
  );
  for (const c of r.calculations) {
    const version = nearestVersion(r, c.at);
    lines.push(
      `  ${rel(c.at)} replica-${c.replica} calculated in ${c.seconds.toFixed(2)} s` +
        (version ? `; v${version.version} saved at ${rel(version.savedAt)}, served after ${version.lags.map(seconds).join(' / ')}` : ''),
    );
  }

  if (r.takeover) {
    const t = r.takeover;
    lines.push(
      `takeover: replica-${t.killed} (the leader) killed at v${t.versionAtKill} with ${t.keptAtKill} calculated intervals kept for ` +
        `the next leader's history; replica-${t.survivor} led after ${seconds(t.leaderAfterSeconds)} and saved its first version ` +
        `after ${seconds(t.savedAfterSeconds)} (lease ${t.leaseSeconds} s)`,
    );
    const start = t.termStart;
    const ms = (key: string) => (typeof start?.[key] === 'number' ? `${((start[key] as number) / 1000).toFixed(1)} s` : '?');
    if (start) {
      lines.push(
        `  its term's start: the snapshot ${ms('snapshotMs')}, the saved state ${String(start.state)} in ${ms('stateMs')}` +
          (typeof start.bridgedBuckets === 'number' ? ` (${start.bridgedBuckets} kept intervals folded on top)` : '') +
          ', ' +
          `the last inputs ${ms('inputsMs')}, ${String(start.historyBuckets)} kept intervals folded in ${ms('historyMs')}`,
      );
    }
  }
  if (r.failover) {
    const f = r.failover;
    const flushFailures = r.replicas.map((x) => x.flushFailures).join(' / ');
    lines.push(
      `master failover: the master holding ${f.key} (:${f.port}) killed at ${f.atSeconds.toFixed(1)} s (v${f.versionAtKill}); ` +
        `the next version saved after ${seconds(f.savedAfterSeconds)} (lease ${f.leaseSeconds} s); flush failures ${flushFailures}`,
    );
  }
  r.polls.targets.forEach((t, i) =>
    lines.push(
      `polls replica-${i}: ${t.answered} answered, ${t.failed} non-200, ${t.errors} errors; ` +
        `p50 ${t.p50Ms.toFixed(2)} ms, p99 ${t.p99Ms.toFixed(2)} ms, max ${t.maxMs.toFixed(0)} ms` +
        (t.firstFailure ? `; first failure: ${t.firstFailure}` : ''),
    ),
  );
  const stalls = r.polls.targets.map((t, i) => `replica-${i} ${stallWindows(t.worstPerSecond, r.polls.startedAt, rel)}`);
  const slow = r.polls.targets.map((t, i) => `replica-${i} ${busiestSeconds(t.slowPerSecond, r.polls.startedAt, rel)}`);
  lines.push(`  polls ≥ 25 ms, the seconds with most: ${slow.join('; ')}`);
  lines.push(
    `  seconds with a poll ≥ ${STALL_MS} ms: ${stalls.join('; ')}; poller's own event-loop delay p99 ` +
      `${r.polls.loopDelayP99Ms.toFixed(1)} ms, max ${r.polls.loopDelayMaxMs.toFixed(0)} ms, CPU ${r.polls.cpuSeconds.toFixed(1)} s`,
  );
  const rep = r.reports;
  lines.push(
    `reports: ${rep.sent} due, ${rep.accepted} accepted, ${rep.rejected} non-202, ${rep.errors} errors, ` +
      `${rep.skipped} skipped (replicas behind), ${rep.unanswered} unanswered; p50 ${rep.p50Ms.toFixed(1)} ms, ` +
      `p99 ${rep.p99Ms.toFixed(1)} ms, max ${rep.maxMs.toFixed(0)} ms; load generator CPU ${rep.cpuSeconds.toFixed(1)} s` +
      (rep.firstFailure ? `; first failure: ${rep.firstFailure}` : ''),
  );

  const perOperation = computed > 0 ? `${((r.redis.cpuSeconds * 1e6) / (operations * computed)).toFixed(2)} µs` : 'n/a';
  lines.push(
    `Redis: ${r.redis.cpuSeconds.toFixed(1)} s CPU (${perOperation} per operation per calculation computed), ` +
      `${r.redis.keys.keys} keys, ${mib(r.redis.keys.usedMemoryBytes)} used; largest: ` +
      r.redis.keys.largest.slice(0, 3).map((k) => `${k.key} (${k.type}) ${kib(k.bytes)}`).join(', '),
  );
  lines.push(`  by kind of key: ${r.redis.keys.byKind.slice(0, 6).map((k) => `${k.kind} ${mib(k.bytes)}`).join(', ')}`);
  const over50 = r.redis.slow.filter((s) => s.durationUs > 50_000).length;
  lines.push(
    `  slow log: ${r.redis.slow.length} commands ≥ 10 ms, ${over50} > 50 ms` +
      (r.redis.slow.length > 0 ? `; slowest ${r.redis.slow.slice(0, 3).map((s) => `${(s.durationUs / 1000).toFixed(1)} ms ${s.command}`).join(', ')}` : ''),
  );
  r.replicas.forEach((x, i) =>
    lines.push(
      `replica-${i}: RSS max ${mib(x.rssMaxBytes)}${x.rssMaxAt === undefined ? '' : ` at ${rel(x.rssMaxAt).trim()}`}, CPU ${x.cpuSeconds?.toFixed(1) ?? '?'} s, flush failures ${x.flushFailures} ` +
        `(${x.droppedOperations} operation counts dropped), slowest /metrics ${x.slowestScrapeMs.toFixed(0)} ms` +
        (x.threadHeapMaxBytes > 0 ? `; calculation thread's heap max ${mib(x.threadHeapMaxBytes)}, outside it max ${mib(x.threadExternalMaxBytes)}` : ''),
    ),
  );
  r.accuracy.forEach((a) =>
    lines.push(
      `served rates replica-${a.replica}: ${a.within}/${a.checked} within 30 %, ${a.missing} not listed` +
        (a.examples.length > 0 ? `; e.g. ${a.examples.slice(0, 3).join('; ')}` : ''),
    ),
  );
  lines.push(`harness (watcher) CPU ${r.harnessCpuSeconds.toFixed(1)} s over ${r.loadSeconds.toFixed(0)} s of load`);
  if (r.scrapeErrors.length > 0) lines.push(`scrape errors: ${r.scrapeErrors.slice(0, 5).join('; ')}`);
  return lines;
}

/** The last lines each replica wrote (warnings and errors at LOG_LEVEL=warn). */
export function replicaTails(r: FleetRunResult, count = 8): string[] {
  return r.replicaOutput.flatMap((out, i) => {
    const tail = out.trim().split('\n').slice(-count).join('\n');
    return tail ? [`--- replica-${i}, last lines ---\n${tail}`] : [];
  });
}

/** Runs of seconds whose slowest poll took STALL_MS or more: "12–18 s (max 6.1 s)", … */
function stallWindows(worst: number[], startedAt: number, rel: (at: number) => string): string {
  const windows: string[] = [];
  for (let i = 0; i < worst.length; i++) {
    if (!(worst[i] >= STALL_MS)) continue;
    let end = i;
    let max = worst[i];
    while (end + 1 < worst.length && worst[end + 1] >= STALL_MS) max = Math.max(max, worst[++end]);
    windows.push(`${rel(startedAt + i * 1000).trim()}–${rel(startedAt + (end + 1) * 1000).trim()} (max ${(max / 1000).toFixed(1)} s)`);
    i = end;
  }
  return windows.length > 0 ? windows.join(', ') : 'none';
}

/** "12 in total: 1 s ×8, 24 s ×3, …": the seconds that hold most of the slow polls. */
function busiestSeconds(counts: number[], startedAt: number, rel: (at: number) => string): string {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const top = counts
    .map((count, second) => ({ count, second }))
    .filter((s) => s.count > 0)
    .sort((a, b) => b.count - a.count)
    .slice(0, 8)
    .map((s) => `${rel(startedAt + s.second * 1000).trim()} ×${s.count}`);
  return `${total} in total${top.length > 0 ? `: ${top.join(', ')}` : ''}`;
}

/** The version the leader saved closest after a calculation's scrape preceded it. */
/**
 * A scrape can see a calculation counted before the watcher's next read of the version key
 * (every 100 ms) sees its save: a save up to this long after the scrape is still its own.
 */
const SAVE_SEEN_SLACK_MS = 500;

function nearestVersion(r: FleetRunResult, at: number) {
  let best: FleetRunResult['propagation']['versions'][number] | undefined;
  for (const v of r.propagation.versions) {
    if (v.savedAt <= at + SAVE_SEEN_SLACK_MS && (!best || v.savedAt > best.savedAt)) best = v;
  }
  return best && at - best.savedAt < 1_000 * r.options.calculationIntervalSeconds ? best : undefined;
}

function seconds(value: number | undefined | null): string {
  if (value === null) return 'killed';
  return value === undefined ? 'never' : `${value.toFixed(1)} s`;
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** The calculator state's saves after the calculations, off their duration: how many, and their mean time. */
function stateSaves(r: FleetRunResult): string {
  const saves = r.replicas.reduce((sum, x) => sum + x.stateSaves, 0);
  const seconds = r.replicas.reduce((sum, x) => sum + x.stateSaveSeconds, 0);
  return saves > 0 ? `; then ${saves} saves of the calculator state, ${(seconds / saves).toFixed(2)} s each on average` : '';
}
