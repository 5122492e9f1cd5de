import type { AppConfig } from '../config/app-config';
import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { AdaptiveCalculator, Probabilities, RestoredInputs } from '../sampling/calculator';
import type { ThroughputBucket } from '../sampling/throughput';
import type { PackedBucket } from '../sampling/packed-bucket';
import type { Fence } from '../store/leader-lease';
import type { FoundState, SamplingStore } from '../store/store';
import type { ThroughputStore } from '../store/throughput-store';
import type { AppLogger } from '../telemetry/logger';
import { createCalculator } from './calculator-factory';
import type { Clock } from './clock';
import type { EngineSettings } from './engine-settings';
import type { CalculationPhases } from './calculation-ports';
import { type HistoryRead, chainBack, feedHistory, feedKept, readPackedHistory } from './interval-buckets';

/** One leader's run of calculations, from taking the lease until losing it. */
export interface Term {
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
  /**
   * How far the calculator's state has aged with time (a boost's cooldown): a read that starts
   * later, its counts between expired unread, ages it by the time skipped (`unread`).
   */
  agedThrough: number;
}

/** A saved state a new term took up: the buckets it stands for, and the kept intervals folded on top. */
interface TakenState {
  buckets: number;
  bridged: number;
}

/**
 * How a new leader's term starts: it continues from the probabilities being served, never from
 * the initial value, with its calculator's saved state or the kept history behind them.
 */
export class TermStarter {
  constructor(
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    private readonly throughput: ThroughputStore,
    private readonly store: SamplingStore,
    private readonly settings: EngineSettings,
    private readonly phases?: CalculationPhases,
  ) {}

  /**
   * Starts a term whose data is readable through `end`: from the saved state where it goes on
   * right after the last snapshot, else from the last probabilities and inputs with the kept
   * history folded in.
   */
  async begin(fence: Fence, end: number, slicer: TimeSlicer): Promise<Term> {
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
    // included: it stands in for the history and the last inputs where this term goes on from
    // there. Where the slots since have partly expired (a leader too slow for its interval, a
    // long lapse), the history folded instead would end at the same point, so the state is
    // taken up all the same; the first read covers what is left, the rest is aged (`agedThrough`).
    const continues = snapshot !== null && snapshot.dataThrough === lastChecked;
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
    // Saved state and the history have aged only up to their data.
    let agedThrough = lastChecked;
    if (typeof taken !== 'object') {
      // The last inputs hold the error baselines and boosts; the time since they were computed
      // ages a boost's cooldown, as if the data had gone on that long.
      const inputs = snapshot ? await this.restoredInputs() : undefined;
      const elapsedMs = snapshot && inputs ? Math.max(0, this.clock.now() - snapshot.computedAt) : 0;
      calculator.restore(inherited, snapshot && inputs ? { inputs, elapsedSeconds: elapsedMs / 1000 } : undefined);
      agedThrough += elapsedMs;
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
    return { token: fence.token, calculator, lastChecked, inherited, buckets, agedThrough };
  }

  newCalculator(): AdaptiveCalculator {
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
}
