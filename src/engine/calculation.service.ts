import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AdaptiveCalculator } from '../sampling/calculator';
import type { CountedOperation } from '../sampling/counted-operation';
import { type ThroughputBucket, mergeThroughput } from '../sampling/throughput';
import { ANNOUNCER, type Announcer, TOPICS } from '../store/announcer';
import { FencedOutError, type Fence } from '../store/leader-lease';
import { SAMPLING_STORE, type SamplingStore } from '../store/store';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { createCalculator } from './calculator-factory';
import { CLOCK, type Clock } from './clock';
import { LeaderElector } from './leader-elector';

export type TickOutcome = 'follower' | 'computed' | 'skipped' | 'failed' | 'fenced';

interface Term {
  token: number;
  calculator: AdaptiveCalculator;
  /** End of the newest throughput already turned into a bucket (ms, on a slot boundary). */
  lastChecked: number;
}

/**
 * One leader calculation per tick: read the throughput every replica has flushed since the
 * last tick, prepend it as a bucket, calculate, write the versioned snapshot (fenced by the
 * lease) and announce it. A new leader first restores the last snapshot and the recent
 * buckets, so it continues from the probabilities being served, never from the initial value.
 */
@Injectable()
export class CalculationService {
  private term: Term | undefined;
  private running: Promise<TickOutcome> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(THROUGHPUT_STORE) private readonly throughput: ThroughputStore,
    @Inject(SAMPLING_STORE) private readonly store: SamplingStore,
    @Inject(ANNOUNCER) private readonly announcer: Announcer,
    private readonly elector: LeaderElector,
    private readonly metrics: EngineMetrics,
  ) {
    elector.onChange((fence) => {
      if (!fence || fence.token !== this.term?.token) this.term = undefined;
    });
  }

  /** Concurrent ticks share one run: a slow calculation is never overlapped by the next. */
  tick(): Promise<TickOutcome> {
    this.running ??= this.tickOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async tickOnce(): Promise<TickOutcome> {
    const fence = this.elector.currentFence();
    if (!fence) return 'follower';
    const started = performance.now();
    try {
      const now = this.clock.now();
      const end = await this.readableEnd(now);
      if (!this.term || this.term.token !== fence.token) this.term = await this.beginTerm(fence, end);
      const term = this.term;
      if (end <= term.lastChecked) {
        this.metrics.calculation('skipped');
        return 'skipped';
      }
      const counted = await this.throughput.read(term.lastChecked, end);
      term.calculator.addBucket(this.toBucket(counted, end - term.lastChecked));
      term.lastChecked = end;
      const result = term.calculator.calculate();
      const version = await this.store.saveProbabilities(
        { computedAt: now, dataThrough: end, probabilities: result.probabilities, qps: result.qps },
        fence,
      );
      this.metrics.computed(result.probabilities, result.qps);
      this.metrics.calculation('computed', (performance.now() - started) / 1000);
      await this.announcer.publish(TOPICS.probabilities, String(version)).catch(() => undefined);
      return 'computed';
    } catch (error) {
      if (error instanceof FencedOutError) {
        this.term = undefined;
        this.metrics.calculation('fenced');
        this.logger.warn({ reason: error.message }, 'calculation discarded: leadership moved');
        return 'fenced';
      }
      // A failed read leaves lastChecked where it was, so the next tick reads the gap too.
      this.metrics.calculation('failed');
      this.logger.warn({ reason: (error as Error).message }, 'calculation failed');
      return 'failed';
    }
  }

  /**
   * The newest slot boundary every live replica has flushed past and that is at least
   * ADAPTIVE_DELAY old: reading later could miss counts still on their way.
   */
  private async readableEnd(now: number): Promise<number> {
    const slot = this.throughput.slotMs;
    const aliveSince = now - Math.max(5 * this.config.ingestFlushIntervalMs, 5_000);
    const flushed = (await this.throughput.flushedThrough(aliveSince)) ?? now;
    const end = Math.min(now - this.config.adaptive.delayMs, flushed);
    return Math.floor(end / slot) * slot;
  }

  private async beginTerm(fence: Fence, end: number): Promise<Term> {
    const calculator = createCalculator(this.config.adaptive);
    const snapshot = await this.store.loadProbabilities();
    const interval = this.config.adaptive.calculationIntervalMs;
    const slot = this.throughput.slotMs;
    // Continue right after the last calculated data; on a fresh store, start one interval back.
    const lastChecked =
      snapshot?.dataThrough !== undefined && snapshot.dataThrough <= end && snapshot.dataThrough > end - 10 * interval
        ? snapshot.dataThrough
        : Math.floor((end - interval) / slot) * slot;
    if (snapshot) calculator.restore(snapshot.probabilities);
    // Past intervals, newest first, stopping at the first empty one (as Jaeger does at start).
    const history: ThroughputBucket[] = [];
    for (let i = 0; i < this.config.adaptive.aggregationBuckets; i++) {
      const to = lastChecked - i * interval;
      const from = Math.floor((to - interval) / slot) * slot;
      const counted = await this.throughput.read(from, to);
      if (counted.length === 0) break;
      history.push(this.toBucket(counted, to - from));
    }
    for (const bucket of history.reverse()) calculator.addBucket(bucket);
    this.logger.info(
      { token: fence.token, restoredVersion: snapshot?.version ?? 0, historyBuckets: history.length },
      'leader term started',
    );
    return { token: fence.token, calculator, lastChecked };
  }

  private toBucket(counted: CountedOperation[], lengthMs: number): ThroughputBucket {
    // Jaeger's target is sampled traces per second, so its count is the sampled one.
    const throughput = mergeThroughput(
      counted.map((c) => ({
        service: c.service,
        operation: c.operation,
        count: c.sampled,
        probabilities: c.probabilities,
      })),
    );
    return { throughput, intervalSeconds: lengthMs / 1000 };
  }
}
