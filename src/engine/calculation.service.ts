import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { TimeSlicer } from '../common/time-slicer';
import type { AdaptiveCalculator, CalculatorState } from '../sampling/calculator';
import { recentPartLength } from '../sampling/throughput';
import { ANNOUNCER, type Announcer, TOPICS } from '../store/announcer';
import { FencedOutError, type Fence } from '../store/leader-lease';
import { SAMPLING_STORE, type SamplingStore, type StateToSave } from '../store/store';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { oldestReadableSlot } from '../store/store-sizing';
import { reportWindowLimitMs } from '../ingest/report-window';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { HistoryRecorder } from './history-recorder';
import { CLOCK, type Clock } from './clock';
import { ENGINE_SETTINGS, type EngineSettings } from './engine-settings';
import { LeaderElector } from './leader-elector';
import { CALCULATION_PHASES, type Calculation, type CalculationMetrics, type CalculationPhases, type FenceSource, type TickOutcome } from './calculation-ports';
import { REPLICA_ID } from './replica-identity';
import { packedBucketOf, trafficOf } from './interval-buckets';
import { type Term, TermStarter } from './leader-term';
import { keepInherited } from './inherited-probabilities';
import { summariesOf } from './service-summaries';
import { fleetRequests, servedQps } from './served-qps';

export type { TickOutcome } from './calculation-ports';

/**
 * One leader calculation per tick: read the throughput every replica has flushed since the
 * last tick, prepend it as a bucket, calculate, write the versioned snapshot (fenced by the
 * lease) and announce it. A new leader first starts a term (see `TermStarter`).
 */
@Injectable()
export class CalculationService implements Calculation {
  private readonly terms: TermStarter;
  private term: Term | undefined;
  private running: Promise<TickOutcome> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(THROUGHPUT_STORE) private readonly throughput: ThroughputStore,
    @Inject(SAMPLING_STORE) private readonly store: SamplingStore,
    @Inject(ANNOUNCER) private readonly announcer: Announcer,
    @Inject(LeaderElector) private readonly elector: FenceSource,
    @Inject(EngineMetrics) private readonly metrics: CalculationMetrics,
    @Inject(ENGINE_SETTINGS) settings: EngineSettings,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly history: HistoryRecorder,
    @Optional() @Inject(CALCULATION_PHASES) private readonly phases?: CalculationPhases,
  ) {
    this.terms = new TermStarter(config, logger, clock, throughput, store, settings, phases);
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
    // Every long loop below yields in slices, so polls on this replica never wait behind it.
    const slicer = this.clock.slicer();
    try {
      const now = this.clock.now();
      const end = await this.readableEnd(now);
      if (!this.term || this.term.token !== fence.token) this.term = await this.terms.begin(fence, end, slicer);
      const term = this.term;
      if (end <= term.lastChecked) {
        this.metrics.calculation('skipped');
        return 'skipped';
      }
      const calculator = term.calculator;
      const from = this.readableFrom(term.lastChecked, end);
      if (from > term.agedThrough) {
        // Aged once: a read that fails next leaves lastChecked, not the time already counted.
        calculator.unread?.((from - term.agedThrough) / 1000);
        term.agedThrough = from;
      }
      const traffic = await this.addBucket(calculator, from, end, slicer);
      const unreadMs = Math.max(0, from - term.lastChecked);
      if (unreadMs > 0) {
        this.logger.warn({ from, lastChecked: term.lastChecked, unreadMs }, 'interval read in part: its older counts expired unread');
      }
      term.lastChecked = end;
      term.agedThrough = Math.max(term.agedThrough, end);
      term.buckets++;
      this.phases?.ended();
      const result = await calculator.calculateInSlices(slicer);
      const probabilities = await keepInherited(term, result.probabilities, this.config.adaptive.aggregationBuckets, slicer);
      const inputs = calculator.lastInputColumns();
      const summaries = await summariesOf(probabilities, traffic, inputs, slicer);
      const version = await this.store.saveProbabilities(
        {
          computedAt: now,
          dataThrough: end,
          probabilities,
          qps: servedQps(result.qps, probabilities, this.config.adaptive.maxOperations),
          fleetRequests: fleetRequests(traffic, inputs),
          traffic,
          inputs,
          summaries,
        },
        fence,
        slicer,
      );
      this.metrics.computed(probabilities, result.qps, traffic, inputs);
      // Counted with the snapshot saved: a term that loses its lease before saving is read again by the next.
      if (unreadMs > 0) this.metrics.unread(unreadMs / 1000);
      this.metrics.droppedByCalculation(sum(calculator.droppedOperations()));
      const seconds = (performance.now() - started) / 1000;
      this.metrics.calculation('computed', seconds);
      await this.announcer.publish(TOPICS.probabilities, String(version)).catch(() => undefined);
      await this.history.record(
        { at: now, probabilities, traffic, inputs },
        { at: now, durationMs: seconds * 1000, replica: this.replica, version, algorithm: calculator.algorithm },
        slicer,
      );
      // After the snapshot is served: a quarter of a GiB at a million operations, and only a
      // next leader reads it. The next calculation waits for it, as it changes the state.
      if (calculator.state) {
        await this.saveState(calculator.state, term, { version, computedAt: now, dataThrough: end, services: Object.keys(probabilities) }, fence, slicer);
      }
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
   * Saves the calculator's state with the snapshot just served: a new leader goes on from it
   * instead of folding the kept history. Losing it costs only that; the calculation stands.
   */
  private async saveState(state: CalculatorState, term: Term, snapshot: Omit<StateToSave, 'state'>, fence: Fence, slicer: TimeSlicer): Promise<void> {
    const started = performance.now();
    try {
      const saved = { ...state.saved(term.buckets), keepMs: this.stateKeepMs() };
      const kept = await this.store.saveState({ ...snapshot, state: saved }, fence, slicer);
      this.metrics.stateSaved(kept ? 'saved' : 'superseded', (performance.now() - started) / 1000);
    } catch (error) {
      const fenced = error instanceof FencedOutError;
      if (fenced && this.term === term) this.term = undefined;
      this.metrics.stateSaved(fenced ? 'fenced' : 'failed');
      this.logger.warn({ reason: (error as Error).message }, 'calculator state not saved: a new leader would fold the kept intervals since the last one saved');
    }
  }

  /**
   * Gives the calculator the interval's counts as a bucket (with its recent part when it reads
   * one, counted in the same read) and returns them as traffic rates for the views. A function
   * of its own so the raw counts, the largest transient of a tick, are not held past it.
   */
  private async addBucket(calculator: AdaptiveCalculator, start: number, end: number, slicer: TimeSlicer) {
    const recentFrom = calculator.usesRecentPart ? this.recentFrom(start, end) : end;
    const split = recentFrom < end;
    const counts = await this.throughput.readInterval(start, end, { slicer, lists: calculator.readsProbabilityLists, ...(split && { recentFrom }) });
    // Summed, for the history of whoever leads next: losing it costs only that history.
    await this.throughput.keepInterval(start, end, counts, slicer).catch((error: unknown) => {
      this.logger.warn({ reason: (error as Error).message }, 'calculated interval not kept for the next leader');
    });
    calculator.addBucket(await packedBucketOf(counts, end - start, calculator.counts, split ? (end - recentFrom) / 1000 : undefined, slicer));
    return trafficOf(counts, (end - start) / 1000, slicer);
  }

  /**
   * Where this calculation's read starts: after the last one, unless that is older than a
   * catch-up, whose slots have expired (a longer gap is read in part, as one bucket). Counted
   * from now, not from the tick's start: a new term's loads may have taken a while.
   */
  private readableFrom(lastChecked: number, end: number): number {
    const oldest = oldestReadableSlot(this.clock.now(), this.config.adaptive, this.throughput.slotMs);
    return Math.min(Math.max(lastChecked, oldest), end - this.throughput.slotMs);
  }

  /**
   * How long a saved state can be taken up: a new term continues from a snapshot whose data
   * ends less than ten intervals back, read once it is ADAPTIVE_DELAY old; a minute of slack.
   */
  private stateKeepMs(): number {
    return 10 * this.config.adaptive.calculationIntervalMs + this.config.adaptive.delayMs + 60_000;
  }

  /**
   * The newest slot boundary at least ADAPTIVE_DELAY old that no count still on its way can
   * land before: every live replica has flushed past it by the longest report window (counts
   * not yet flushed are spread back at most that far from when they arrived).
   */
  private async readableEnd(now: number): Promise<number> {
    const slot = this.throughput.slotMs;
    const aliveSince = now - Math.max(5 * this.config.ingestFlushIntervalMs, 5_000);
    const flushed = (await this.throughput.flushedThrough(aliveSince)) ?? now;
    const end = Math.min(now - this.config.adaptive.delayMs, flushed - reportWindowLimitMs(this.config));
    return Math.floor(end / slot) * slot;
  }

  /**
   * Where the bucket's recent part starts, on a slot boundary; `to` when it is not split (a
   * bucket of one slot). A calculator that reads it learns from it whether a step began early in
   * the bucket (then the recent part alone is the new level) or only at its end.
   */
  private recentFrom(from: number, to: number): number {
    const start = to - recentPartLength(to - from, this.throughput.slotMs);
    return start > from ? start : to;
  }
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}
