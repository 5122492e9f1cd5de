import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import type { FleetReplica } from './fleet-replica';

/** The key the leader's fenced save increments (default REDIS_KEY_PREFIX). */
export const VERSION_KEY = 'samplane:{control}:probabilities:version';
/** The sorted set listing the calculated intervals kept for a new leader's history. */
const KEPT_KEY = 'samplane:{control}:kept';

/** One scrape of a replica's /metrics: what a large-fleet run follows over time. */
export interface ReplicaSample {
  /** Epoch ms when the answer arrived. */
  at: number;
  /** How long /metrics took to answer: a replica busy calculating answers late. */
  scrapeMs: number;
  version: number;
  leader: boolean;
  computed: number;
  failed: number;
  fenced: number;
  skipped: number;
  durationSum: number;
  durationCount: number;
  /** The calculator state's saves that completed after each calculation, and their time. */
  stateSaveSum: number;
  stateSaveCount: number;
  flushFailures: number;
  droppedOperations: number;
  /** The calculation thread's heap allocated and its memory outside the heap (0: no thread). */
  threadHeapBytes: number;
  threadExternalBytes: number;
}

/** The series a sample reads, as they appear in the text (prom-client writes labels sorted). */
const READ = new Set([
  'samplane_snapshot_version',
  'samplane_leader',
  'samplane_calculations_total{outcome="computed"}',
  'samplane_calculations_total{outcome="failed"}',
  'samplane_calculations_total{outcome="fenced"}',
  'samplane_calculations_total{outcome="skipped"}',
  'samplane_calculation_duration_seconds_sum',
  'samplane_calculation_duration_seconds_count',
  'samplane_calculator_state_save_duration_seconds_sum',
  'samplane_calculator_state_save_duration_seconds_count',
  'samplane_throughput_flush_failures_total',
  'samplane_throughput_dropped_operations_total',
  'samplane_calculation_thread_memory_bytes{kind="heap_total"}',
  'samplane_calculation_thread_memory_bytes{kind="external"}',
]);

/**
 * One pass over the text, keeping only the series above: at 10,000 services /metrics holds a
 * series per polled service, and this runs twice a second per replica beside the fleet.
 */
function sampleOf(text: string, at: number, scrapeMs: number): ReplicaSample {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('samplane_')) continue;
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    if (READ.has(series)) values.set(series, Number(line.slice(space + 1)));
  }
  const value = (name: string, labels: Record<string, string> = {}) => {
    const rendered = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
    return values.get(rendered ? `${name}{${rendered}}` : name) ?? 0;
  };
  return {
    at,
    scrapeMs,
    version: value('samplane_snapshot_version'),
    leader: value('samplane_leader') === 1,
    computed: value('samplane_calculations_total', { outcome: 'computed' }),
    failed: value('samplane_calculations_total', { outcome: 'failed' }),
    fenced: value('samplane_calculations_total', { outcome: 'fenced' }),
    skipped: value('samplane_calculations_total', { outcome: 'skipped' }),
    durationSum: value('samplane_calculation_duration_seconds_sum'),
    durationCount: value('samplane_calculation_duration_seconds_count'),
    stateSaveSum: value('samplane_calculator_state_save_duration_seconds_sum'),
    stateSaveCount: value('samplane_calculator_state_save_duration_seconds_count'),
    flushFailures: value('samplane_throughput_flush_failures_total'),
    droppedOperations: value('samplane_throughput_dropped_operations_total'),
    threadHeapBytes: value('samplane_calculation_thread_memory_bytes', { kind: 'heap_total' }),
    threadExternalBytes: value('samplane_calculation_thread_memory_bytes', { kind: 'external' }),
  };
}

/**
 * Follows a run from outside: each replica's /metrics (serially, every `scrapeMs`), its RSS
 * every second, and the version key in Redis every 100 ms, which tells when the leader saved
 * each version, so that the time each replica took to serve it can be measured.
 */
export class FleetWatch {
  readonly samples: ReplicaSample[][];
  readonly rss: Array<Array<{ at: number; bytes: number }>>;
  /** version → epoch ms it was first seen in Redis. */
  readonly saved = new Map<number, number>();
  readonly scrapeErrors: string[] = [];
  /** Replica → epoch ms it was killed at: no longer scraped, nor expected to serve what follows. */
  readonly gone = new Map<number, number>();
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly replicas: FleetReplica[],
    private readonly redis: Redis | Cluster,
    scrapeMs: number,
  ) {
    this.samples = replicas.map(() => []);
    this.rss = replicas.map(() => []);
    this.loops = [
      ...replicas.map((replica, i) => this.every(scrapeMs, () => (this.gone.has(i) ? Promise.resolve() : this.scrape(replica, i)))),
      this.every(1_000, () => this.sampleRss()),
      this.every(100, () => this.readVersion()),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Stops watching a replica about to be killed. */
  forget(replica: number): void {
    this.gone.set(replica, Date.now());
  }

  latest(replica: number): ReplicaSample | undefined {
    const samples = this.samples[replica];
    return samples[samples.length - 1];
  }

  /** A scrape now, outside the loop: for final values. */
  async scrapeNow(replica: number): Promise<ReplicaSample> {
    await this.scrape(this.replicas[replica], replica);
    return this.latest(replica) as ReplicaSample;
  }

  async redisVersion(): Promise<number> {
    return Number((await this.redis.get(VERSION_KEY)) ?? 0);
  }

  /** How many calculated intervals are kept for a new leader's history. */
  async keptIntervals(): Promise<number> {
    return this.redis.zcard(KEPT_KEY);
  }

  private async every(ms: number, work: () => Promise<void>): Promise<void> {
    while (this.running) {
      const started = Date.now();
      await work();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (Date.now() - started))));
    }
  }

  private async scrape(replica: FleetReplica, index: number): Promise<void> {
    const started = performance.now();
    try {
      const text = await replica.metricsText();
      this.samples[index].push(sampleOf(text, Date.now(), performance.now() - started));
    } catch (error) {
      if (this.scrapeErrors.length < 20) this.scrapeErrors.push(`${replica.name}: ${(error as Error).message}`);
    }
  }

  private async sampleRss(): Promise<void> {
    const at = Date.now();
    this.replicas.forEach((replica, i) => {
      if (this.gone.has(i)) return;
      const bytes = replica.rssBytes();
      if (bytes !== undefined) this.rss[i].push({ at, bytes });
    });
  }

  private async readVersion(): Promise<void> {
    try {
      const version = await this.redisVersion();
      if (version > 0 && !this.saved.has(version)) this.saved.set(version, Date.now());
    } catch {
      // Counted by what the replicas report; a missed read only blurs one timestamp.
    }
  }
}
