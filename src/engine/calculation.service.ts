import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AdaptiveCalculator, CalculationInputs, Probabilities } from '../sampling/calculator';
import type { CountedOperation } from '../sampling/counted-operation';
import { type ThroughputBucket, recentPartLength } from '../sampling/throughput';
import { ANNOUNCER, type Announcer, TOPICS } from '../store/announcer';
import { FencedOutError, type Fence } from '../store/leader-lease';
import { type OperationTraffic, SAMPLING_STORE, type SamplingStore } from '../store/store';
import { THROUGHPUT_STORE, type ThroughputStore, mergeCounted } from '../store/throughput-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { createCalculator } from './calculator-factory';
import { HistoryRecorder } from './history-recorder';
import { CLOCK, type Clock } from './clock';
import { ENGINE_SETTINGS, type EngineSettings } from './engine-settings';
import { LeaderElector } from './leader-elector';
import { REPLICA_ID } from './replica-identity';
import { throughputBucket } from './throughput-bucket';
import { dictionary } from '../sampling/dictionary';

export type TickOutcome = 'follower' | 'computed' | 'skipped' | 'failed' | 'fenced';

interface Term {
  token: number;
  calculator: AdaptiveCalculator;
  /** End of the newest throughput already turned into a bucket (ms, on a slot boundary). */
  lastChecked: number;
  /**
   * The probabilities the term started from, for operations its buckets do not show yet. A
   * new leader holds only the history it could load (none after Redis lost its data), so an
   * operation missing from it has not necessarily gone quiet; Jaeger drops an operation only
   * once it is absent from a full window of buckets. Cleared when the term holds that window.
   */
  inherited: Probabilities | undefined;
  buckets: number;
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
    @Inject(ENGINE_SETTINGS) private readonly settings: EngineSettings,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly history: HistoryRecorder,
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
      const bucketStart = term.lastChecked;
      const recentFrom = this.recentFrom(bucketStart, end);
      const earlier = await this.throughput.read(bucketStart, recentFrom);
      const recent = recentFrom < end ? await this.throughput.read(recentFrom, end) : [];
      const counted = recent.length > 0 ? mergeCounted([...earlier, ...recent]) : earlier;
      const bucket = this.toBucket(counted, end - bucketStart);
      if (recentFrom < end) bucket.recent = this.toBucket(recent, end - recentFrom);
      term.calculator.addBucket(bucket);
      term.lastChecked = end;
      term.buckets++;
      const result = term.calculator.calculate();
      const probabilities = this.keepInherited(term, result.probabilities);
      const traffic = trafficOf(counted, (end - bucketStart) / 1000);
      const inputs = term.calculator.lastInputs();
      const version = await this.store.saveProbabilities(
        { computedAt: now, dataThrough: end, probabilities, qps: result.qps, traffic, inputs },
        fence,
      );
      this.metrics.computed(probabilities, result.qps, errorRatesOf(traffic), boostedOf(inputs));
      this.metrics.droppedByCalculation(sum(term.calculator.droppedOperations()));
      const seconds = (performance.now() - started) / 1000;
      this.metrics.calculation('computed', seconds);
      await this.announcer.publish(TOPICS.probabilities, String(version)).catch(() => undefined);
      await this.history.record(
        { at: now, probabilities, traffic, inputs },
        { at: now, durationMs: seconds * 1000, replica: this.replica, version, algorithm: this.config.adaptive.algorithm },
      );
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

  /**
   * Where the bucket's recent part starts, on a slot boundary; `to` when it is not split (a
   * bucket of one slot, or `jaeger`). `samplane` learns from it whether a step began early in
   * the bucket (then the recent part alone is the new level) or only at its end.
   */
  private recentFrom(from: number, to: number): number {
    if (this.config.adaptive.algorithm !== 'samplane') return to;
    const start = to - recentPartLength(to - from, this.throughput.slotMs);
    return start > from ? start : to;
  }

  private async beginTerm(fence: Fence, end: number): Promise<Term> {
    const calculator = createCalculator(this.config.adaptive);
    calculator.useSettings((service, operation) => this.settings.operationSettings(service, operation));
    const snapshot = await this.store.loadProbabilities();
    const interval = this.config.adaptive.calculationIntervalMs;
    const slot = this.throughput.slotMs;
    // Continue right after the last calculated data (waiting, not re-reading, if that is ahead
    // of what is readable here). With nothing recent to continue from, start at `end`, as
    // Jaeger starts at "now − delay": a first window reaching back before the store held any
    // counts (Redis just restarted empty) would read as too little traffic and raise every
    // probability.
    const lastChecked =
      snapshot?.dataThrough !== undefined && snapshot.dataThrough > end - 10 * interval ? snapshot.dataThrough : end;
    // A store that lost its data (Redis restarted without persistence) has no snapshot, but
    // every replica still serves the last probabilities: they are what the SDKs apply now, and
    // starting over from the initial probability would throw the fleet's adaptation away.
    const inherited = snapshot?.probabilities ?? this.settings.servedProbabilities();
    calculator.restore(
      inherited,
      snapshot?.inputs && { inputs: snapshot.inputs, elapsedSeconds: Math.max(0, (this.clock.now() - snapshot.computedAt) / 1000) },
    );
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
      {
        token: fence.token,
        restoredVersion: snapshot?.version ?? 0,
        restoredFrom: snapshot ? 'store' : 'served',
        historyBuckets: history.length,
      },
      'leader term started',
    );
    return { token: fence.token, calculator, lastChecked, inherited, buckets: history.length };
  }

  /**
   * Adds the inherited probabilities of operations this term has no buckets for yet, and seeds
   * the calculator with the result, so such an operation continues from its inherited value
   * when its traffic shows up rather than from the initial one.
   */
  private keepInherited(term: Term, computed: Probabilities): Probabilities {
    if (!term.inherited) return computed;
    if (term.buckets >= this.config.adaptive.aggregationBuckets) {
      term.inherited = undefined;
      return computed;
    }
    let added = false;
    const merged = dictionary<Record<string, number>>();
    for (const [service, operations] of Object.entries(computed)) {
      merged[service] = Object.assign(dictionary<number>(), operations);
    }
    for (const [service, operations] of Object.entries(term.inherited)) {
      const target = (merged[service] ??= dictionary<number>());
      for (const [operation, probability] of Object.entries(operations)) {
        if (operation in target) continue;
        target[operation] = probability;
        added = true;
      }
    }
    if (added) term.calculator.restore(merged);
    return merged;
  }

  private toBucket(counted: CountedOperation[], lengthMs: number): ThroughputBucket {
    return throughputBucket(counted, lengthMs, this.config.adaptive.algorithm);
  }
}

/** Per-operation rates of one bucket, for the explanation views. */
function trafficOf(counted: CountedOperation[], seconds: number): Record<string, Record<string, OperationTraffic>> {
  const traffic = dictionary<Record<string, OperationTraffic>>();
  if (seconds <= 0) return traffic;
  for (const c of counted) {
    (traffic[c.service] ??= dictionary<OperationTraffic>())[c.operation] = {
      requestsPerSecond: c.requests / seconds,
      sampledPerSecond: c.sampled / seconds,
      errorsPerSecond: (errorRate(c) * c.requests) / seconds,
      errorRate: errorRate(c),
    };
  }
  return traffic;
}

/** Errors per request, estimated from the requests whose outcome was seen. */
function errorRate(c: CountedOperation): number {
  const outcomes = c.outcomes ?? c.requests;
  return outcomes > 0 ? Math.min(1, c.errors / outcomes) : 0;
}

function errorRatesOf(traffic: Record<string, Record<string, OperationTraffic>>): Record<string, Record<string, number>> {
  const rates = dictionary<Record<string, number>>();
  for (const [service, operations] of Object.entries(traffic)) {
    const own = (rates[service] = dictionary<number>());
    for (const [operation, t] of Object.entries(operations)) own[operation] = t.errorRate;
  }
  return rates;
}

/** `[service, operation]` keys (JSON) of the operations the error boost raises. */
function boostedOf(inputs: CalculationInputs): Set<string> {
  const boosted = new Set<string>();
  for (const [service, operations] of Object.entries(inputs)) {
    for (const [operation, i] of Object.entries(operations)) if (i.errors?.boost) boosted.add(JSON.stringify([service, operation]));
  }
  return boosted;
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}
