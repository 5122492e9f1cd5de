import type { ReplicaSample } from './fleet-watch';

export interface CalculationSeen {
  replica: number;
  /** Epoch ms of the scrape that showed it. */
  at: number;
  seconds: number;
}

/**
 * Each calculation a replica reported, with its duration: between two scrapes the duration
 * histogram's count grew by the calculations made and its sum by their time (averaged when a
 * scrape missed more than one).
 */
export function calculationsSeen(samples: ReplicaSample[][]): CalculationSeen[] {
  const seen: CalculationSeen[] = [];
  samples.forEach((series, replica) => {
    for (let i = 1; i < series.length; i++) {
      const made = series[i].durationCount - series[i - 1].durationCount;
      if (made <= 0) continue;
      const seconds = (series[i].durationSum - series[i - 1].durationSum) / made;
      for (let k = 0; k < made; k++) seen.push({ replica, at: series[i].at, seconds });
    }
  });
  return seen.sort((a, b) => a.at - b.at);
}

/** How many times the lease changed hands, as the replicas' `samplane_leader` showed it. */
export function leaderChanges(samples: ReplicaSample[][]): number {
  const events = samples.flatMap((series, replica) => series.map((s) => ({ at: s.at, replica, leader: s.leader })));
  events.sort((a, b) => a.at - b.at);
  let current: number | undefined;
  let changes = 0;
  for (const event of events) {
    if (!event.leader || event.replica === current) continue;
    if (current !== undefined) changes++;
    current = event.replica;
  }
  return changes;
}

export interface Propagation {
  /**
   * Per version the leader saved: seconds until each replica's scrape showed it (undefined:
   * never; null: the replica was killed before the save).
   */
  versions: Array<{ version: number; savedAt: number; lags: Array<number | undefined | null> }>;
  maxSeconds: number | undefined;
  medianSeconds: number | undefined;
  /** Versions some replica never showed, though it was scraped long enough after the save. */
  unreached: number;
}

/**
 * Time to replicas: for each version seen in Redis, how long until each replica still running
 * served it (or a newer one). An upper bound, coarse by the scrape period: the replica may have
 * switched any time since its previous scrape.
 */
export function propagation(
  saved: Map<number, number>,
  samples: ReplicaSample[][],
  settleMs: number,
  gone: ReadonlyMap<number, number> = new Map(),
): Propagation {
  const versions: Propagation['versions'] = [];
  let unreached = 0;
  for (const [version, savedAt] of [...saved].sort((a, b) => a[0] - b[0])) {
    const expected = (replica: number) => !((gone.get(replica) ?? Infinity) <= savedAt);
    const lags = samples.map((series, replica) => {
      if (!expected(replica)) return null;
      const reached = series.find((s) => s.version >= version);
      return reached ? Math.max(0, reached.at - savedAt) / 1000 : undefined;
    });
    const judged = samples.every((series, replica) => !expected(replica) || (series[series.length - 1]?.at ?? 0) >= savedAt + settleMs);
    if (!judged && lags.some((lag) => lag === undefined)) continue;
    if (lags.some((lag) => lag === undefined)) unreached++;
    versions.push({ version, savedAt, lags });
  }
  const all = versions.flatMap((v) => v.lags.filter((lag): lag is number => typeof lag === 'number')).sort((a, b) => a - b);
  return {
    versions,
    maxSeconds: all.length > 0 ? all[all.length - 1] : undefined,
    medianSeconds: all.length > 0 ? all[Math.floor(all.length / 2)] : undefined,
    unreached,
  };
}

/** The counters' growth from a replica's first scrape to its last. */
export function counted(
  series: ReplicaSample[],
  field: 'computed' | 'failed' | 'fenced' | 'skipped' | 'flushFailures' | 'droppedOperations' | 'stateSaveSum' | 'stateSaveCount',
  since?: number,
): number {
  if (series.length === 0) return 0;
  // From the last sample at or before `since` (epoch ms), where given: what happened after it.
  const before = since === undefined ? [] : series.filter((sample) => sample.at <= since);
  const from = before.length > 0 ? before[before.length - 1] : series[0];
  return series[series.length - 1][field] - from[field];
}
