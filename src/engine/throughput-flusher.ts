import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ThroughputAccumulator } from '../ingest/throughput-accumulator';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { type Cancel, CLOCK, type Clock } from './clock';
import { REPLICA_ID } from './replica-identity';

/**
 * Moves this replica's in-memory counts into the shared throughput store every
 * INGEST_FLUSH_INTERVAL, and once more on shutdown. A failed flush drops that window's counts
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
    this.stopTimer = this.clock.setInterval(() => void this.flush(), this.config.ingestFlushIntervalMs);
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
