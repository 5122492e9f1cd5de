import type { FleetReplica } from './fleet-replica';
import type { FleetWatch } from './fleet-watch';
import type { FleetWorker } from './fleet-workers';

/** What a leader's `kill -9` in the middle of a run led to, from the moment of the kill. */
export interface Takeover {
  killed: number;
  survivor: number;
  /** The version in Redis once the leader was gone: the survivor's first save is the next. */
  versionAtKill: number;
  /** Calculated intervals kept at the kill: the new leader's history is up to a window of them. */
  keptAtKill: number;
  leaseSeconds: number;
  /** Until the survivor's /metrics showed it leading (coarse by the scrape period); undefined: never. */
  leaderAfterSeconds: number | undefined;
  /** Until the next version was in Redis: the new leader's first calculation saved. */
  savedAfterSeconds: number | undefined;
  /** What the survivor logged as its term started (`state`, `snapshotMs`, `historyMs`, …); undefined: nothing. */
  termStart: Record<string, unknown> | undefined;
}

/**
 * Kills the leader as a crash would (SIGKILL: no lease released, no last flush) once the load
 * generator and the pollers have stopped sending to it, as a load balancer takes a dead
 * replica out of rotation; then waits for the survivor to take the lease and save a version,
 * and one more.
 */
export async function killLeader(
  replicas: FleetReplica[],
  watch: FleetWatch,
  workers: Array<FleetWorker<unknown>>,
  leaseSeconds: number,
  log: (line: string) => void,
): Promise<Takeover> {
  const killed = await waitFor(() => {
    const leader = replicas.findIndex((_, i) => watch.latest(i)?.leader);
    return leader >= 0 ? leader : undefined;
  }, 2 * leaseSeconds * 1000);
  if (killed === undefined) throw new Error('no replica showed itself leader: there is no leader to kill');
  const survivor = replicas.findIndex((_, i) => i !== killed);
  await Promise.all(workers.map((worker) => worker.drop(killed)));
  const killedAt = Date.now();
  watch.forget(killed);
  await replicas[killed].killed();
  // Read once it is gone: a save it finished just before the kill is not the survivor's.
  const versionAtKill = await watch.redisVersion();
  const keptAtKill = await watch.keptIntervals();
  log(`killed the leader (${replicas[killed].name}, kill -9) at v${versionAtKill}; waiting for ${replicas[survivor].name} to take over`);
  // Far beyond the target (two leases), so that a slow takeover is measured rather than cut short.
  const patience = (4 * leaseSeconds + 60) * 1000;
  const led = await waitFor(() => {
    const sample = watch.latest(survivor);
    return sample && sample.at > killedAt && sample.leader ? sample.at : undefined;
  }, patience);
  const saved = await waitFor(() => {
    for (const [version, at] of watch.saved) if (version > versionAtKill) return at;
    return undefined;
  }, patience - (Date.now() - killedAt));
  const after = (at: number | undefined) => (at === undefined ? undefined : (at - killedAt) / 1000);
  // Its first calculation lacks the counts the leader held unflushed when killed (up to a
  // flush's worth): the final checks judge the one after, as they judge a settled fleet.
  if (saved !== undefined) {
    await waitFor(() => ([...watch.saved.keys()].some((version) => version > versionAtKill + 1) ? true : undefined), patience);
  }
  const termStart = replicas[survivor].termStarts.at(-1);
  return { killed, survivor, versionAtKill, keptAtKill, leaseSeconds, leaderAfterSeconds: after(led), savedAfterSeconds: after(saved), termStart };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
