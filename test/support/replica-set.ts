import { createRedisClient } from '../../src/store/redis/redis-client';
import { RedisKeys } from '../../src/store/redis/redis-keys';
import { RedisStore } from '../../src/store/redis/redis.store';
import type { NewProbabilities } from '../../src/store/store';

import type { RedisServer } from './redis-server';
import { SamplaneProcess } from './samplane-process';
import { waitFor } from './wait';

/** The layout a replica with the default REDIS_KEY_PREFIX writes. */
const KEYS = new RedisKeys('samplane:');

/**
 * Engine timings short enough for a test to watch several calculations and a failover, with
 * the periodic snapshot reload far beyond any wait, so replicas that catch up quickly can only
 * have done so through the leader's announcement.
 */
export const FAST_ENGINE: Record<string, string> = {
  ADAPTIVE_CALCULATION_INTERVAL: '2s',
  ADAPTIVE_DELAY: '1s',
  ADAPTIVE_LEADER_LEASE: '3s',
  SNAPSHOT_RELOAD_INTERVAL: '30s',
  REDIS_COMMAND_TIMEOUT: '500ms',
  LOG_LEVEL: 'info',
};

export const LEASE_MS = 3_000;

/** What a replica serves a service, as operation → probability, plus the default. */
export interface Served {
  version: number;
  defaultProbability: number;
  operations: Record<string, number>;
}

interface StrategyJson {
  operationSampling?: {
    defaultSamplingProbability: number;
    perOperationStrategies: Array<{ operation: string; probabilisticSampling: { samplingRate: number } }>;
  };
  probabilisticSampling?: { samplingRate: number };
}

/** Replicas of one Samplane on one Redis; some may be killed along the way. */
export class ReplicaSet {
  private readonly dead = new Set<SamplaneProcess>();

  private constructor(readonly replicas: SamplaneProcess[]) {}

  static async start(redis: RedisServer, count: number, env: Record<string, string> = {}): Promise<ReplicaSet> {
    const replicas = await Promise.all(
      Array.from({ length: count }, () => SamplaneProcess.start({ ...FAST_ENGINE, REDIS_URL: redis.url, ...env })),
    );
    return new ReplicaSet(replicas);
  }

  alive(): SamplaneProcess[] {
    return this.replicas.filter((replica) => !this.dead.has(replica));
  }

  /** SIGTERM: the replica flushes, releases the lease if it holds it, and exits; the exit code. */
  async stop(replica: SamplaneProcess): Promise<number | null> {
    this.dead.add(replica);
    return replica.stop('SIGTERM');
  }

  /** `kill -9`: no lease release, no last flush. */
  async kill(replica: SamplaneProcess): Promise<void> {
    this.dead.add(replica);
    await replica.stop('SIGKILL');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.stop('SIGKILL')));
  }

  /** Live replicas whose `samplane_leader` gauge is 1. */
  async leaders(): Promise<SamplaneProcess[]> {
    const flags = await Promise.all(this.alive().map((replica) => replica.metric('samplane_leader').catch(() => 0)));
    return this.alive().filter((_, i) => flags[i] === 1);
  }

  /** Waits until exactly one live replica says it leads. */
  async waitForLeader(timeoutMs = 15_000): Promise<SamplaneProcess> {
    return waitFor(
      async () => {
        const leaders = await this.leaders();
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      'exactly one leader',
      timeoutMs,
      100,
    );
  }

  /** Each live replica's `samplane_snapshot_version`. */
  async versions(): Promise<number[]> {
    return Promise.all(this.alive().map((replica) => replica.metric('samplane_snapshot_version')));
  }

  /** What every live replica serves `service`, once they all serve the same. */
  async agreed(service: string, timeoutMs = 10_000): Promise<Record<string, number>> {
    return waitFor(
      async () => {
        const each = await Promise.all(this.alive().map((replica) => served(replica, service)));
        const first = JSON.stringify(each[0].operations);
        return each.every((answer) => JSON.stringify(answer.operations) === first) ? each[0].operations : undefined;
      },
      `the replicas to serve ${service} the same probabilities`,
      timeoutMs,
      50,
    );
  }

  /** Logs of every replica, for failure messages. */
  output(): string {
    return this.replicas.map((replica, i) => `--- replica ${i} ---\n${replica.output}`).join('\n');
  }
}

/**
 * What `replica` serves `service`, with the snapshot version it came from: the version is read
 * before and after the poll and the poll repeated until both agree.
 */
export async function served(replica: SamplaneProcess, service: string): Promise<Served> {
  let version = await replica.metric('samplane_snapshot_version');
  let strategy = (await replica.poll(service)) as StrategyJson;
  for (let attempt = 0; attempt < 5; attempt++) {
    const after = await replica.metric('samplane_snapshot_version');
    if (after === version) break;
    version = after;
    strategy = (await replica.poll(service)) as StrategyJson;
  }
  const operations: Record<string, number> = {};
  for (const entry of strategy.operationSampling?.perOperationStrategies ?? []) {
    operations[entry.operation] = entry.probabilisticSampling.samplingRate;
  }
  return {
    version,
    defaultProbability:
      strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate ?? NaN,
    operations,
  };
}

/** The snapshot the leader last wrote, read from Redis as another replica would. */
export interface StoredSnapshot {
  version: number;
  probabilities: Record<string, Record<string, number>>;
  qps: Record<string, Record<string, number>>;
  dataThrough: number;
  traffic?: NewProbabilities['traffic'];
}

/** A plain Redis connection for looking at what the leader wrote. */
export class RedisPeek {
  private readonly client;
  private readonly store;

  private constructor(url: string) {
    this.client = createRedisClient({ url, commandTimeoutMs: 2_000 });
    this.client.on('error', () => undefined);
    this.store = new RedisStore(this.client, KEYS.prefix);
  }

  static async connect(redis: RedisServer): Promise<RedisPeek> {
    const peek = new RedisPeek(redis.url);
    await peek.client.connect();
    return peek;
  }

  async version(): Promise<number> {
    return Number((await this.client.get(KEYS.version)) ?? 0);
  }

  /** The lease as stored: "holder|token", or null when nobody holds it. */
  lease(): Promise<string | null> {
    return this.client.get(KEYS.leader);
  }

  /**
   * When (epoch ms) another process than `pid` held the lease, read every 20 ms: a takeover
   * timed on the key itself, not on the replicas' metrics.
   */
  leaseTakenFrom(pid: number | undefined): Promise<number> {
    if (pid === undefined) throw new Error('the former holder has no pid');
    return waitFor(
      async () => {
        const lease = await this.lease();
        return lease !== null && !lease.includes(`-${pid}-`) ? Date.now() : undefined;
      },
      'another replica to take the lease',
      15_000,
      20,
    );
  }

  /** The newest snapshot, read the way replicas read it. */
  async snapshot(): Promise<StoredSnapshot | undefined> {
    const snapshot = await this.store.loadProbabilities();
    if (!snapshot || snapshot.version === 0) return undefined;
    const explanations = await this.store.loadExplanations();
    const traffic: NonNullable<NewProbabilities['traffic']> = {};
    // Each operation's QPS is recorded with its inputs; the served part holds only what serving uses.
    const qps: Record<string, Record<string, number>> = { ...snapshot.qps };
    for (const [service, explanation] of explanations) {
      traffic[service] = explanation.traffic;
      for (const [operation, inputs] of Object.entries(explanation.inputs)) {
        if (inputs.qps !== undefined) (qps[service] ??= {})[operation] = inputs.qps;
      }
    }
    return {
      version: snapshot.version,
      probabilities: snapshot.probabilities,
      qps,
      dataThrough: snapshot.dataThrough ?? 0,
      ...(explanations.size > 0 && { traffic }),
    };
  }

  close(): void {
    this.client.disconnect();
  }
}

/**
 * Every snapshot the leader writes, collected by polling Redis often enough (every 50 ms,
 * calculations are seconds apart) that consecutive versions can be compared.
 */
export class SnapshotLog {
  readonly snapshots: StoredSnapshot[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly peek: RedisPeek) {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get latest(): StoredSnapshot | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  /** Waits for a snapshot newer than `version` that satisfies `accept`. */
  async next(version: number, what: string, timeoutMs = 15_000, accept: (s: StoredSnapshot) => boolean = () => true) {
    return waitFor(() => this.snapshots.find((s) => s.version > version && accept(s)), what, timeoutMs, 20);
  }

  /** One line per snapshot for `service`/`operation`, for failure messages. */
  trace(service: string, operation: string): string {
    return this.snapshots
      .map((s) => {
        const [p, qps] = [s.probabilities[service]?.[operation], s.qps[service]?.[operation]];
        return `v${s.version} through ${s.dataThrough}: p=${p} qps=${qps}`;
      })
      .join('\n');
  }

  /** Pairs of snapshots with consecutive versions, in order. */
  consecutivePairs(): Array<[StoredSnapshot, StoredSnapshot]> {
    const pairs: Array<[StoredSnapshot, StoredSnapshot]> = [];
    for (let i = 1; i < this.snapshots.length; i++) {
      const [a, b] = [this.snapshots[i - 1], this.snapshots[i]];
      if (b.version === a.version + 1) pairs.push([a, b]);
    }
    return pairs;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const snapshot = await this.peek.snapshot();
        const latest = this.latest;
        // A restarted Redis numbers from 1 again: any other version is a new snapshot.
        const isNew = !latest || snapshot?.version !== latest.version || snapshot.dataThrough !== latest.dataThrough;
        if (snapshot && isNew) {
          this.snapshots.push(snapshot);
        }
      } catch {
        // Redis stopped on purpose by the test; keep looking.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Jaeger's step for an adaptive operation outside the tolerance band (the capped `old × target / qps`). */
export function jaegerStep(
  old: number,
  qps: number,
  options: { target: number; increaseCap?: number; min?: number },
): number {
  const cap = options.increaseCap ?? 1;
  let next = qps < 1e-10 ? old * 2 : (old * options.target) / qps;
  if ((next - old) / old > cap) next = old * (1 + cap);
  return Math.min(1, Math.max(options.min ?? 0.00001, next));
}
