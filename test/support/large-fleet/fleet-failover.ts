import type { FleetRedis } from './fleet-redis';
import type { FleetWatch } from './fleet-watch';

/** What killing a cluster master under load led to, from the moment of the kill. */
export interface MasterFailover {
  /** The master's port, and the keys it held: the lease, the manifest, the version counter. */
  port: number;
  key: string;
  /** Seconds after the load started. */
  atSeconds: number;
  versionAtKill: number;
  /** Until the next version was in Redis: calculations resumed (undefined: never, within the run). */
  savedAfterSeconds: number | undefined;
  leaseSeconds: number;
}

/**
 * Kills (SIGKILL) the cluster master holding the `{control}` keys, the lease among them, the
 * harshest master to lose: its replica takes over after the node timeout and the leader must
 * keep or retake its lease there. Resolves at the kill; `resumed` fills in the rest later.
 */
export async function killControlMaster(redis: FleetRedis, watch: FleetWatch, loadStarted: number, leaseSeconds: number): Promise<MasterFailover> {
  const { port, key } = await redis.killMasterOf(CONTROL_KEY);
  const killedAt = Date.now();
  // The newest version saved before the kill (the watch records each as it sees it): reading
  // Redis now would wait out the failover.
  const versionAtKill = Math.max(0, ...[...watch.saved].filter(([, at]) => at <= killedAt).map(([version]) => version));
  return { port, key, atSeconds: (killedAt - loadStarted) / 1000, versionAtKill, savedAfterSeconds: undefined, leaseSeconds };
}

/** Epoch ms when a version was saved again after the kill (undefined: not yet). */
export function resumedAt(failover: MasterFailover | undefined, loadStarted: number): number | undefined {
  if (failover?.savedAfterSeconds === undefined) return undefined;
  return loadStarted + (failover.atSeconds + failover.savedAfterSeconds) * 1000;
}

/** Fills in when the first version after the kill was saved, from the versions the watch saw. */
export function resumed(failover: MasterFailover, watch: FleetWatch, loadStarted: number): MasterFailover {
  const killedAt = loadStarted + failover.atSeconds * 1000;
  const after = [...watch.saved].filter(([version, at]) => version > failover.versionAtKill && at >= killedAt).map(([, at]) => at);
  return { ...failover, savedAfterSeconds: after.length > 0 ? (Math.min(...after) - killedAt) / 1000 : undefined };
}

const CONTROL_KEY = 'samplane:{control}:leader';
