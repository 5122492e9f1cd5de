import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { AdaptiveCalculator, CalculatorState, Probabilities, RestoredInputs } from '../sampling/calculator';
import type { ThroughputBucket } from '../sampling/throughput';
import type { PackedBucket } from '../sampling/packed-bucket';
import { recentPartLength } from '../sampling/throughput';
import { ANNOUNCER, type Announcer, TOPICS } from '../store/announcer';
import { FencedOutError, type Fence } from '../store/leader-lease';
import { type FoundState, SAMPLING_STORE, type SamplingStore, type StateToSave } from '../store/store';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { catchUpMs } from '../store/store-sizing';
import { reportWindowLimitMs } from '../ingest/report-window';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { EngineMetrics } from '../telemetry/engine-metrics';
import { createCalculator } from './calculator-factory';
import { HistoryRecorder } from './history-recorder';
import { CLOCK, type Clock } from './clock';
import { ENGINE_SETTINGS, type EngineSettings } from './engine-settings';
import { LeaderElector } from './leader-elector';
import { CALCULATION_PHASES, type Calculation, type CalculationMetrics, type CalculationPhases, type FenceSource, type TickOutcome } from './calculation-ports';
import { REPLICA_ID } from './replica-identity';
import { type HistoryRead, chainBack, feedHistory, feedKept, packedBucketOf, readPackedHistory, trafficOf } from './interval-buckets';
import { summariesOf } from './service-summaries';
import { fleetRequests, servedQps } from './served-qps';
import { dictionary } from '../sampling/dictionary';

export type { TickOutcome } from './calculation-ports';

/** A saved state a new term took up: the buckets it stands for, and the kept intervals folded on top. */
interface TakenState {
  buckets: number;
  bridged: number;
}

interface Term {
  token: number;
  calculator: AdaptiveCalculator;
  /** End of the newest throughput already turned into a bucket (ms, on a slot boundary). */
  lastChecked: number;
  /**
   * The probabilities the term started from, for operations its buckets do not show yet. A
   * new leader holds only the history it could load (none after Redis lost its data), so an
   * operation missing from it has not necessarily gone quiet; Jaeger drops an operation only
   * once it is absent from a full window of buckets. An operation leaves it once the term has
   * calculated it (from then on the calculator decides, as for a leader that had gone on: one
   * dropped over the cap stays dropped); cleared when the term holds that window.
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
export class CalculationService implements Calculation {
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
    @Inject(ENGINE_SETTINGS) private readonly settings: EngineSettings,
    @Inject(REPLICA_ID) private readonly replica: string,
    private readonly history: HistoryRecorder,
    @Optional() @Inject(CALCULATION_PHASES) private readonly phases?: CalculationPhases,
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
    // Every long loop below yields in slices, so polls on this replica never wait behind it.
    const slicer = this.clock.slicer();
    try {
      const now = this.clock.now();
      const end = await this.readableEnd(now);
      if (!this.term || this.term.token !== fence.token) this.term = await this.beginTerm(fence, end, slicer);
      const term = this.term;
      if (end <= term.lastChecked) {
        this.metrics.calculation('skipped');
        return 'skipped';
      }
      const calculator = term.calculator;
      const from = this.readableFrom(term.lastChecked, end);
      const traffic = await this.addBucket(calculator, from, end, slicer);
      term.lastChecked = end;
      term.buckets++;
      this.phases?.ended();
      const result = await calculator.calculateInSlices(slicer);
      const probabilities = await this.keepInherited(term, result.probabilities, slicer);
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
    return Math.min(Math.max(lastChecked, this.oldestReadable()), end - this.throughput.slotMs);
  }

  /**
   * How long a saved state can be taken up: a new term continues from a snapshot whose data
   * ends less than ten intervals back, read once it is ADAPTIVE_DELAY old; a minute of slack.
   */
  private stateKeepMs(): number {
    return 10 * this.config.adaptive.calculationIntervalMs + this.config.adaptive.delayMs + 60_000;
  }

  /** The oldest slot a read may start at: older ones have expired. */
  private oldestReadable(): number {
    const slot = this.throughput.slotMs;
    return Math.ceil((this.clock.now() - this.config.adaptive.delayMs - catchUpMs(this.config.adaptive)) / slot) * slot;
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

  private async beginTerm(fence: Fence, end: number, slicer: TimeSlicer): Promise<Term> {
    let calculator = this.newCalculator();
    // How long each step of a takeover took, in the log: a large fleet's new leader spends
    // seconds in each before its first calculation.
    const started = this.clock.now();
    const snapshot = await this.store.loadProbabilities(slicer);
    const snapshotLoaded = this.clock.now();
    const interval = this.config.adaptive.calculationIntervalMs;
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
    const inherited = snapshot?.probabilities ?? (await this.settings.servedProbabilities());
    // Saved state describes the operations up to the snapshot's data, their error state
    // included: it stands in for the history and the last inputs where this term goes on right
    // from there, and its first bucket covers the whole time since (a longer gap is read only
    // in part: its time would not reach the boosts' cooldowns and the baselines' decay).
    const continues = snapshot !== null && snapshot.dataThrough === lastChecked && lastChecked >= this.oldestReadable();
    const read = { intervalMs: interval, buckets: this.config.adaptive.aggregationBuckets, counts: calculator.counts, lists: calculator.readsProbabilityLists, slicer };
    let taken: TakenState | 'none' | 'failed' = 'none';
    if (continues && calculator.state) {
      calculator.restore(inherited);
      taken = await this.restoreState(calculator, snapshot.computedAt, lastChecked, read);
      // Where a read failed part way some services were taken up: the history is folded by a
      // calculator of its own.
      if (typeof taken !== 'object') calculator = this.newCalculator();
    }
    const state = typeof taken === 'object' ? 'restored' : taken;
    const stateLoaded = this.clock.now();
    if (typeof taken !== 'object') {
      // The last inputs hold the error baselines and boosts; the time since they were computed
      // ages a boost's cooldown.
      const inputs = snapshot ? await this.restoredInputs() : undefined;
      calculator.restore(inherited, snapshot && inputs ? { inputs, elapsedSeconds: Math.max(0, (this.clock.now() - snapshot.computedAt) / 1000) } : undefined);
    }
    const inputsLoaded = this.clock.now();
    // The term counts the buckets the state stands for, as it would the history folded instead.
    const buckets = typeof taken === 'object' ? taken.buckets + taken.bridged : await this.loadHistory(calculator, lastChecked, read);
    this.logger.info(
      {
        token: fence.token,
        restoredVersion: snapshot?.version ?? 0,
        restoredFrom: snapshot ? 'store' : 'served',
        state,
        ...(typeof taken === 'object' && { stateBuckets: taken.buckets, bridgedBuckets: taken.bridged }),
        historyBuckets: typeof taken === 'object' ? 0 : buckets,
        snapshotMs: snapshotLoaded - started,
        stateMs: stateLoaded - snapshotLoaded,
        inputsMs: inputsLoaded - stateLoaded,
        historyMs: this.clock.now() - inputsLoaded,
      },
      'leader term started',
    );
    return { token: fence.token, calculator, lastChecked, inherited, buckets };
  }

  private newCalculator(): AdaptiveCalculator {
    const calculator = createCalculator(this.config.adaptive);
    calculator.useSettings((service, operation) => this.settings.operationSettings(service, operation));
    return calculator;
  }

  /**
   * Takes up the last saved calculator state, where the calculator keeps one: the state saved
   * after the restored snapshot (computed at `computedAt`, its data `through`), or one saved
   * before it (its leader stopped between a snapshot and its state) with the kept intervals
   * since folded on top, as the history would be. `none` where there is none to take (a
   * calculator without state, a store an older version wrote, a state the kept intervals do not
   * reach), and the history is folded instead; `failed` where a read failed or a service's rows
   * were not of the layout's shape, part way through.
   */
  private async restoreState(calculator: AdaptiveCalculator, computedAt: number, through: number, read: HistoryRead): Promise<TakenState | 'none' | 'failed'> {
    const state = calculator.state;
    if (!state) return 'none';
    let bridge: number[] = [];
    const accepts = async (found: FoundState): Promise<boolean> => {
      if (found.computedAt === computedAt) return true;
      if (found.dataThrough >= through) return false;
      const chain = chainBack(await this.throughput.keptIntervals(), through, read.buckets);
      const from = chain.indexOf(found.dataThrough);
      bridge = from < 0 ? [] : chain.slice(from);
      return from >= 0;
    };
    let refused = 0;
    try {
      const found = await this.store.loadState({ layout: state.layout, accepts }, (service, rows) => {
        if (!state.restoreService(service, rows)) refused++;
      }, read.slicer);
      if (found === undefined) return 'none';
      if (refused > 0) throw new Error(`the saved rows of ${refused} services are not of layout ${state.layout}`);
      const bridged = bridge.length > 1 ? await feedKept(this.throughput, bridge, this.historyRead(read), this.giveHistory(calculator, read)) : 0;
      return { buckets: found.buckets, bridged };
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'saved calculator state not restored: the kept history is folded instead');
      return 'failed';
    }
  }

  /**
   * Gives a new term's calculator its history: folded as read where it folds, else as packed
   * buckets read an interval at a time (Jaeger's ten intervals read as objects in one go took
   * a new leader's calculation thread to 900 MiB of heap at 200,000 operations).
   */
  private async loadHistory(calculator: AdaptiveCalculator, through: number, read: HistoryRead): Promise<number> {
    if (calculator.foldHistory) return feedHistory(this.throughput, through, this.historyRead(read), this.giveHistory(calculator, read));
    const history = await readPackedHistory(this.throughput, through, this.historyRead(read));
    for (const bucket of history) calculator.addBucket(bucket);
    return history.length;
  }

  /** A history read a bucket at a time: the calculation thread collects after each. */
  private historyRead(read: HistoryRead): HistoryRead {
    return { ...read, afterInterval: () => this.phases?.ended() };
  }

  /** How a new term's calculator takes a bucket of history: folded where it folds, else prepended. */
  private giveHistory(calculator: AdaptiveCalculator, read: HistoryRead): (bucket: ThroughputBucket | PackedBucket) => Promise<void> {
    const fold = calculator.foldHistory?.bind(calculator);
    if (fold) return (bucket) => fold(bucket, read.slicer ?? UNSLICED);
    return (bucket) => Promise.resolve(calculator.addBucket(bucket));
  }

  /**
   * The inputs of the last calculation (error baselines and boosts live there); without them a
   * new leader still continues from the probabilities, so a failed read is not fatal.
   */
  private async restoredInputs(): Promise<RestoredInputs['inputs'] | undefined> {
    try {
      return await this.store.loadInputs();
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'last calculation inputs not restored');
      return undefined;
    }
  }

  /**
   * Adds the inherited probabilities of operations this term has no buckets for yet, and seeds
   * the calculator with the result, so such an operation continues from its inherited value
   * when its traffic shows up rather than from the initial one. What the term has calculated
   * is no longer inherited: once nothing is left, the copy of the last snapshot goes (a large
   * fleet's new leader held it for a whole window, ~115 MiB at a million operations).
   */
  private async keepInherited(term: Term, computed: Probabilities, slicer: TimeSlicer): Promise<Probabilities> {
    if (!term.inherited) return computed;
    if (term.buckets >= this.config.adaptive.aggregationBuckets) {
      term.inherited = undefined;
      return computed;
    }
    let added = false;
    // A service is copied only where something is added to it: a large fleet's first
    // calculations would otherwise copy a million probabilities each.
    const merged = Object.assign(dictionary<Record<string, number>>(), computed);
    // A new map of what is still inherited: the old one may be the calculator's too.
    const left = dictionary<Record<string, number>>();
    let leftServices = 0;
    for (const service of Object.keys(term.inherited)) {
      const inherited = term.inherited[service];
      const own = merged[service];
      let target: Record<string, number> | undefined;
      // What the calculation did not compute: still inherited (a service it has none of, whole).
      let missing: Record<string, number> | undefined;
      for (const operation of Object.keys(inherited)) {
        if (own !== undefined && operation in own) continue;
        target ??= Object.assign(dictionary<number>(), own);
        target[operation] = inherited[operation];
        if (own !== undefined) (missing ??= dictionary<number>())[operation] = inherited[operation];
        added = true;
      }
      if (target || own === undefined) {
        // A service inherited without operations is kept too, listed with none.
        merged[service] = target ?? dictionary<number>();
        left[service] = missing ?? inherited;
        leftServices++;
      }
      if (slicer.due()) await slicer.yield();
    }
    term.inherited = leftServices > 0 ? left : undefined;
    if (added) term.calculator.restore(merged);
    return merged;
  }
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}
