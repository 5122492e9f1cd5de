import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ThroughputAccumulator } from '../ingest/throughput-accumulator';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { type Cancel, CLOCK, type Clock } from './clock';
import { REPLICA_ID } from './replica-identity';

/**
 * A flush at least this often, whatever the slot (INGEST_FLUSH_INTERVAL). Counts held in memory
 * for a whole second outlived V8's young-generation collections (one every ~0.4 s under a large
 * fleet's reports) and were copied, then promoted: at 200,000 operations that was ~10 MB/s
 * promoted and scavenges of 20–50 ms, which polls wait behind. Held a quarter as long, most die young.
 */
export const MAX_FLUSH_PERIOD_MS = 250;

/**
 * Moves this replica's in-memory counts into the shared throughput store every
 * INGEST_FLUSH_INTERVAL (the throughput slot) or MAX_FLUSH_PERIOD_MS, whichever is shorter, and
 * once more on shutdown. Several flushes in one slot append to it, as several replicas' do. A failed flush drops that window's counts
 * (and counts the drop): replaying them later would pile an outage's traffic into one slot
 * and read as a spike.
 */
@Injectable()
export class ThroughputFlusher implements OnModuleInit, BeforeApplicationShutdown {
  private stopTimer: Cancel | undefined;
  private flushing: Promise<void> | undefined;
  private lastFailure: string | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(THROUGHPUT_STORE) private readonly store: ThroughputStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly metrics: EngineMetrics,
    private readonly accumulator: ThroughputAccumulator,
  ) {}

  onModuleInit(): void {
    this.stopTimer = this.clock.setInterval(() => void this.flush(), flushPeriodMs(this.config.ingestFlushIntervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.flush();
  }

  /** One flush; concurrent callers share it. Also marks this replica alive when idle. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const drainedAt = this.clock.now();
    // A large fleet's second of counts takes tens of ms to turn into text: polls go in between.
    const slicer = this.clock.slicer();
    const records = await this.accumulator.drainInSlices(slicer);
    const started = performance.now();
    try {
      await this.store.flush(this.replica, drainedAt, records, slicer);
      this.metrics.flushed((performance.now() - started) / 1000);
      this.lastFailure = undefined;
    } catch (error) {
      this.metrics.flushFailed(records.length);
      const reason = (error as Error).message;
      if (reason !== this.lastFailure) {
        this.logger.warn({ reason, operations: records.length }, 'throughput flush failed; counts dropped');
        this.lastFailure = reason;
      }
    }
  }
}

/** How often a replica flushes, given its slot. */
export function flushPeriodMs(slotMs: number): number {
  return Math.min(slotMs, MAX_FLUSH_PERIOD_MS);
}
