import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MAX_FLUSH_PERIOD_MS, flushPeriodMs } from '../ingest/flush-period';
import { ThroughputAccumulator } from '../ingest/throughput-accumulator';
import { FlushNotWrittenError, THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { type Cancel, CLOCK, type Clock } from './clock';
import { REPLICA_ID } from './replica-identity';

/**
 * Moves this replica's in-memory counts into the shared throughput store: counts spread over a
 * report's window every INGEST_FLUSH_INTERVAL (the throughput slot) or MAX_FLUSH_PERIOD_MS,
 * whichever is shorter (a whole number of flushes a slot); counts of instants (spans, X-Ray
 * statistics, reports without a window), which arrive all through a slot, at the last flush in
 * each slot, so an operation's are written once a slot rather than once a flush; everything once
 * more on shutdown. Several flushes in one slot append to it, as several replicas' do. What a
 * failed flush could not write, the Redis store keeps and writes with the next flush into the
 * slots the counts belong to (never the current one, where an outage's traffic would read as a
 * spike), within bounds; what it drops, or any other store's failed flush, is counted dropped.
 */
@Injectable()
export class ThroughputFlusher implements OnModuleInit, BeforeApplicationShutdown {
  private stopTimer: Cancel | undefined;
  private flushing: Promise<void> | undefined;
  private lastFailure: string | undefined;
  /** The slot instants were last drained in. */
  private instantsSlot: number | undefined;
  /** Set for the flush at shutdown: nothing follows it to write what it could not. */
  private last = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(THROUGHPUT_STORE) private readonly store: ThroughputStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly metrics: EngineMetrics,
    private readonly accumulator: ThroughputAccumulator,
  ) {}

  async onModuleInit(): Promise<void> {
    const slotMs = this.config.ingestFlushIntervalMs;
    const periodMs = flushPeriodMs(slotMs);
    // Instants at the last flush in each slot, so they land in the slot they were seen in (at the
    // first, a slot late); at once if a late timer let a slot go without, or the clock went back.
    const instantsDue = () => {
      const now = this.clock.now();
      const slot = Math.floor(now / slotMs);
      const last = Math.floor((now + periodMs) / slotMs) !== slot;
      return slotMs <= MAX_FLUSH_PERIOD_MS || last || this.instantsSlot === undefined || slot - this.instantsSlot > 1 || slot < this.instantsSlot;
    };
    this.stopTimer = this.clock.setInterval(() => void this.flush(instantsDue()), periodMs);
    // A watermark before any count comes in (before the ports open): until its first flush a
    // replica is not waited for, and a report it holds could be spread back into a slot read meanwhile.
    await this.flush(false);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    // A flush under way drained before the last counts came in: one more takes them, the last.
    await this.flushing;
    this.last = true;
    await this.flush(true);
    // Nothing more comes from here: the leader need not wait the liveness timeout for it. Not
    // after a failed flush, whose writes may still land: its watermark expires with liveness.
    if (this.lastFailure !== undefined) return;
    await this.store.leave(this.replica).catch((error: unknown) => {
      this.logger.warn({ reason: (error as Error).message }, 'flush watermark not removed at shutdown');
    });
  }

  /**
   * One flush (of instants too, or not); concurrent callers share it, whatever they asked for
   * instants (the timer asks again at its next turn). Also marks this replica alive when idle.
   */
  flush(instants: boolean): Promise<void> {
    this.flushing ??= this.flushOnce(instants).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(instants: boolean): Promise<void> {
    const drainedAt = this.clock.now();
    if (instants) this.instantsSlot = Math.floor(drainedAt / this.config.ingestFlushIntervalMs);
    // A large fleet's second of counts takes tens of ms to turn into text: polls go in between.
    const slicer = this.clock.slicer();
    const counts = this.accumulator.take(instants);
    const started = performance.now();
    try {
      const written = await this.store.flush(this.replica, drainedAt, counts, slicer);
      this.metrics.flushed((performance.now() - started) / 1000, written?.dropped ?? 0);
      this.lastFailure = undefined;
    } catch (error) {
      // A store that keeps what it could not write says what it kept (lost all the same when
      // no flush follows); anything else lost it all.
      const notWritten = error instanceof FlushNotWrittenError ? error : undefined;
      const kept = this.last ? 0 : (notWritten?.kept ?? 0);
      const dropped = notWritten ? notWritten.dropped + (this.last ? notWritten.kept : 0) : counts.size;
      this.metrics.flushFailed(dropped);
      const reason = (error as Error).message;
      if (reason !== this.lastFailure || dropped > 0) {
        const message = dropped > 0 ? 'throughput flush failed; counts dropped' : 'throughput flush failed; counts kept for the next flush';
        this.logger.warn({ reason, operations: counts.size, kept, dropped }, message);
        this.lastFailure = reason;
      }
    }
  }
}
