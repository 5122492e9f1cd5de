import type {
  AdaptiveCalculator,
  CalculationInputs,
  CalculationResult,
  CalculatorState,
  OperationSettings,
  OperationSettingsResolver,
  Probabilities,
  RestoredInputs,
} from '../calculator';
import type { ThroughputBucket } from '../throughput';
import { FleetEstimates } from './fleet-estimates';
import { SAVED_LAYOUT, operationsOverCap } from './operation-state';
import { type OperationRules, ServiceRules, bounded, resolveRules } from './operation-rules';
import { budgetShares, floodShares } from './service-shares';
import { ERROR_BOOST_DEFAULTS, SAMPLANE_TUNING, type SamplaneCalculatorOptions, type SamplaneTuning } from './samplane-options';
import { dictionary } from '../dictionary';
import { type PackedBucket, operationsIn, servicesOf } from '../packed-bucket';
import { ColumnSlab, INPUT, type InputColumns, inputRecords } from '../input-columns';
import { type TimeSlicer, runInSlices, runToEnd } from '../../common/time-slicer';

/** Below this relative error a probability is never changed: not worth a strategy update. */
const MIN_HOLD_BAND = 0.02;
const HOLD_NOISE_DEVIATIONS = 3;

/**
 * Samplane's controller. Where Jaeger walks each probability by `target / sampled QPS`, this
 * one estimates each operation's *request* rate, which does not depend on the probability
 * served, and sets `p = target / requestRate` directly: a step is followed as soon as a bucket
 * shows it (`RateEstimator`), a constant load keeps its probability (the hold band), an
 * operation without requests keeps its last one. A service budget is shared max-min fairly
 * among its active operations, at most `maxOperations` per service are kept (the busiest), and
 * an operation whose errors rise clearly above its own baseline is boosted (`ErrorTracker`).
 * Counts are requests (exact, or sampled spans scaled by 1/p); the probabilities reported with
 * them tell which were in effect.
 */
export class SamplaneCalculator implements AdaptiveCalculator {
  readonly algorithm = 'samplane' as const;
  readonly counts = 'requests' as const;
  readonly usesRecentPart = true;
  /** It needs only the lowest probability reported, to bound how noisy a scaled count is. */
  readonly readsProbabilityLists = false;

  private readonly tuning: SamplaneTuning;
  /** Buckets added since the last calculation, oldest first (a new leader's history is folded as read). */
  private pending: Array<ThroughputBucket | PackedBucket> = [];
  private readonly estimates: FleetEstimates;
  private settings: OperationSettingsResolver = () => undefined;
  private defaultRules: OperationRules | undefined;
  private inputs = dictionary<InputColumns>();
  /** Where `inputs` are written; each calculation overwrites the last one's. */
  private readonly slab = new ColumnSlab();
  /** `inputs` as objects, made when first asked for. */
  private inputObjects: CalculationInputs | undefined;
  private dropped: Record<string, number> = dictionary();
  private folds = 0;
  /**
   * Its rows are saved with every snapshot: a new leader takes them up instead of folding the
   * kept intervals again (at a million operations ~1.6 s each, most of a takeover).
   */
  readonly state: CalculatorState = {
    layout: SAVED_LAYOUT,
    saved: (buckets) => ({ layout: this.state.layout, buckets, of: (service) => this.estimates.saved(service) }),
    restoreService: (service, rows) => this.estimates.restoreService(service, rows),
  };

  constructor(
    private readonly options: SamplaneCalculatorOptions,
    tuning: Partial<SamplaneTuning> = {},
  ) {
    this.tuning = { ...SAMPLANE_TUNING, ...tuning };
    if (!Number.isInteger(options.aggregationBuckets) || options.aggregationBuckets < 1) {
      throw new RangeError('aggregationBuckets must be an integer of at least 1');
    }
    if (!Number.isInteger(options.maxOperations) || options.maxOperations < 1) {
      throw new RangeError('maxOperations must be an integer of at least 1');
    }
    if (!(options.targetSamplesPerSecond > 0)) throw new RangeError('targetSamplesPerSecond must be positive');
    if (!(this.tuning.smoothing > 0 && this.tuning.smoothing <= 1)) throw new RangeError('smoothing must be in (0, 1]');
    if (!(this.tuning.stepThreshold > 0)) throw new RangeError('stepThreshold must be positive');
    this.estimates = new FleetEstimates(this.tuning, options.initialSamplingProbability);
  }

  lastInputs(): CalculationInputs {
    return (this.inputObjects ??= inputRecords(this.inputs));
  }

  lastInputColumns(): Record<string, InputColumns> {
    return this.inputs;
  }

  droppedOperations(): Record<string, number> {
    return Object.assign(dictionary<number>(), this.dropped);
  }

  useSettings(resolver: OperationSettingsResolver): void {
    this.settings = resolver;
  }

  /**
   * Rate estimates are kept: they describe traffic, which a change of leader does not change.
   * Error baselines and boosts come from the last calculation's inputs, as the history a new
   * leader loads is too short to rebuild a baseline of minutes.
   */
  restore(probabilities: Probabilities, restored?: RestoredInputs): void {
    this.estimates.restore(probabilities, restored);
  }

  /** Queues the bucket for the next calculation, which folds every queued bucket into the rate estimates in order. */
  addBucket(bucket: ThroughputBucket | PackedBucket): void {
    // Queued as given: the engine reads each interval packed, a replay or a test gives objects.
    this.pending.push(bucket);
    if (this.pending.length > this.options.aggregationBuckets) this.pending.shift();
  }

  /**
   * Folds one bucket of a new leader's history (oldest first, before the term's first
   * calculation) into the estimates now: the folds the first calculation would make of it
   * queued, without a large fleet's ten buckets held until then. A service at a time. (Queued,
   * a full history lost its oldest bucket to the first calculation's own; here it is all folded,
   * as a leader that had gone on would have folded it.)
   */
  async foldHistory(bucket: ThroughputBucket | PackedBucket, slicer: TimeSlicer): Promise<void> {
    if (bucket.intervalSeconds <= 0) return;
    this.estimates.state.reserve(Math.max(this.estimates.state.size, operationsIn(bucket)));
    const fold = ++this.folds;
    const services = new Set(this.estimates.operations.keys());
    for (const service of servicesOf(bucket)) services.add(service);
    for (const service of services) {
      // Never the newest: a restored error baseline already holds the history (see `steps`).
      this.estimates.fold(service, bucket, false, fold);
      if (slicer.due()) await slicer.yield();
    }
    await this.estimates.historyFolded(slicer);
  }

  unread(seconds: number): void {
    this.estimates.unread(seconds);
  }

  calculate(): CalculationResult {
    return runToEnd(this.steps());
  }

  calculateInSlices(slicer: TimeSlicer): Promise<CalculationResult> {
    return runInSlices(this.steps(), slicer);
  }

  /**
   * Every queued bucket folded into the rate estimates in order, then the cap and the
   * probabilities, one service at a time: a service's operations depend on each other (shares,
   * cap), never on another service's, so a step ends after each service.
   */
  private *steps(): Generator<void, CalculationResult> {
    const buckets = this.pending.filter((bucket) => bucket.intervalSeconds > 0);
    // A restored error baseline already holds the history loaded with it: only the newest
    // bucket is new to it.
    const newest = this.pending[this.pending.length - 1];
    this.pending = [];
    const firstFold = this.folds + 1;
    this.folds += buckets.length;
    const services = new Set(this.estimates.operations.keys());
    for (const bucket of buckets) for (const service of servicesOf(bucket)) services.add(service);

    this.dropped = dictionary<number>();
    // The previous inputs go now, not when these replace them: a large fleet holds one set, not two.
    this.inputs = dictionary();
    this.inputObjects = undefined;
    const probabilities = dictionary<Record<string, number>>();
    const inputs = dictionary<InputColumns>();
    this.slab.rewind();
    // Rows this round's columns take, about: the operations held, or the buckets' if more.
    let rows = this.estimates.state.size;
    for (const bucket of buckets) rows = Math.max(rows, operationsIn(bucket));
    this.estimates.state.reserve(rows);
    rows = Math.ceil(rows * 1.25) + 64;
    for (const service of services) {
      buckets.forEach((bucket, i) => this.estimates.fold(service, bucket, bucket === newest, firstFold + i));
      const operations = this.estimates.operations.get(service);
      if (operations) {
        const excess = operationsOverCap(operations, this.estimates.state, this.options.maxOperations);
        for (const operation of excess) this.estimates.forget(service, operation);
        if (excess.length > 0) this.dropped[service] = excess.length;
        const computed = this.calculateService(service, operations, rows);
        probabilities[service] = computed.probabilities;
        inputs[service] = computed.inputs;
      }
      yield;
    }
    this.estimates.settled();
    this.inputs = inputs;
    // The QPS is the inputs' `qps` column: no record of a million numbers to build and hold.
    return { probabilities, qps: inputs };
  }

  private calculateService(service: string, operations: Map<string, number>, rows: number) {
    const names = [...operations.keys()];
    const inputs = this.slab.columns(names, rows);
    const rules = new ServiceRules(this.rulesFor(undefined));
    for (const operation of names) rules.set(operation, this.rulesFor(this.settings(service, operation)));
    const boosts = this.errorBoosts(names, operations, rules);
    const budget = budgetShares(operations, this.estimates.state, rules, boosts, this.options.minSamplesPerSecond);
    const flood = budget.size === 0 && (this.dropped[service] ?? 0) > 0 ? floodShares(operations, this.estimates.state, rules) : undefined;
    const round: ServiceRound = { service, probabilities: dictionary<number>(), inputs, rules, boosts, budget, shares: flood?.shares ?? budget, flood };
    let i = 0;
    // By row number and index, not entry arrays, and each operation in a call of its own, small
    // enough for what it calls to be inlined: fewer of its numbers boxed, less garbage per tick.
    for (const row of operations.values()) {
      this.estimates.state.at(row);
      if (this.estimates.state.estimate !== 'idle' && (this.estimates.state.estimator.rate ?? 0) > 0) this.calculateActive(round, names[i], i);
      else this.calculateIdle(round, names[i], i);
      i++;
    }
    return { probabilities: round.probabilities, inputs };
  }

  /** An operation without requests in its newest bucket (the state's view at its row): it keeps its probability. */
  private calculateIdle(round: ServiceRound, operation: string, i: number): void {
    const { inputs } = round;
    const state = this.estimates.state;
    const rule = round.rules.get(operation);
    const known = this.estimates.known(round.service, operation, state);
    const previous = known ?? this.options.initialSamplingProbability;
    const wasActive = state.wasActive;
    state.wasActive = false;
    // Traffic that stops mid-bucket looks like a drop in its last bucket, and the drop raised
    // the probability; silence right after says it stopped, so that rise is undone.
    const kept = wasActive && state.raisedFrom !== undefined ? state.raisedFrom : previous;
    state.raisedFrom = undefined;
    round.probabilities[operation] = kept;
    state.probability = kept;
    inputs.set(INPUT.previous, i, previous);
    inputs.set(INPUT.target, i, round.shares.get(operation) ?? rule.targetSamplesPerSecond);
    // Its clients were not seen at all, so nothing was adapted.
    inputs.set(INPUT.adaptive, i, 0);
    inputs.set(INPUT.withinTolerance, i, 0);
    inputs.set(INPUT.qps, i, 0);
    inputs.set(INPUT.requestRate, i, 0);
    inputs.set(INPUT.budget, i, rule.budgetTracesPerSecond);
    inputs.set(INPUT.sharedTarget, i, undefined);
    inputs.setEstimate(i, 'idle');
    state.errors.writeInputs(rule.errorBoost, inputs, i, operation);
  }

  /** An operation with requests (the state's view at its row): its probability from its rate. */
  private calculateActive(round: ServiceRound, operation: string, i: number): void {
    const { inputs, budget, flood } = round;
    const state = this.estimates.state;
    const rule = round.rules.get(operation);
    const known = this.estimates.known(round.service, operation, state);
    const previous = known ?? this.options.initialSamplingProbability;
    const rate = state.estimator.rate ?? 0;
    state.wasActive = true;
    const target = round.shares.get(operation) ?? rule.targetSamplesPerSecond;
    // The first bucket after a quiet spell is likely partial, and one awaiting the next
    // delivery says nothing new: neither is a reason to move yet.
    const awaiting = state.estimate === 'awaiting';
    const held =
      awaiting ||
      state.estimate === 'resumed' ||
      this.holds(previous, rate, target, rule, state.estimator.relativeNoise(state.lastSeconds));
    const normal = held ? previous : bounded(target > 0 ? target / rate : 0, rule);
    // Within a budget the boost is already part of the share; elsewhere it is a floor.
    const boost = budget.has(operation) ? undefined : round.boosts.get(operation);
    const next = boost !== undefined && boost > normal ? bounded(boost, rule) : normal;
    // A rise is undone by the silence that follows it, however long the wait before that. A
    // rise from the initial probability is the first adaptation, not a reaction to a drop:
    // undoing it would reset the operation to a value no estimate ever gave it.
    if (!awaiting) state.raisedFrom = next > previous && known !== undefined ? previous : undefined;
    round.probabilities[operation] = next;
    state.probability = next;
    inputs.set(INPUT.previous, i, previous);
    inputs.set(INPUT.target, i, target);
    inputs.set(INPUT.adaptive, i, 1);
    inputs.set(INPUT.withinTolerance, i, held ? 1 : 0);
    inputs.set(INPUT.qps, i, rate * previous);
    inputs.set(INPUT.requestRate, i, rate);
    inputs.set(INPUT.budget, i, budget.has(operation) ? rule.budgetTracesPerSecond : undefined);
    inputs.set(INPUT.sharedTarget, i, flood?.shares.has(operation) ? flood.target : undefined);
    inputs.setEstimate(i, state.estimate);
    state.errors.writeInputs(rule.errorBoost, inputs, i, operation);
  }

  /**
   * Whether the previous probability still yields the target closely enough. The band is as
   * wide as the estimate's noise (three standard deviations of one bucket), so exact counts
   * are followed closely while noisy ones do not make a constant load's probability twitch, and
   * never wider than `holdBand` of the tolerance.
   */
  private holds(previous: number, rate: number, target: number, rule: OperationRules, noise: number): boolean {
    if (previous < rule.minSamplingProbability || previous > rule.maxSamplingProbability) return false;
    if (target <= 0) return previous === rule.minSamplingProbability;
    const widest = this.tuning.holdBand * this.options.deltaTolerance;
    const band = Math.min(widest, Math.max(MIN_HOLD_BAND, HOLD_NOISE_DEVIATIONS * noise));
    return Math.abs(previous * rate - target) / target <= band;
  }

  /** operation → the probability its error boost asks for, for the active boosted operations (`names` in `operations`' order). */
  private errorBoosts(names: readonly string[], operations: Map<string, number>, rules: ServiceRules): Map<string, number> {
    const boosts = new Map<string, number>();
    const state = this.estimates.state;
    let i = 0;
    for (const row of operations.values()) {
      const operation = names[i++];
      state.at(row);
      if (state.estimate === 'idle' || !((state.estimator.rate ?? 0) > 0)) {
        state.errors.endBoost();
        continue;
      }
      const rule = rules.get(operation);
      const boost = state.errors.boost(rule.errorBoost);
      if (boost !== undefined) boosts.set(operation, Math.min(boost, rule.maxSamplingProbability));
    }
    return boosts;
  }

  private rulesFor(custom: OperationSettings | undefined): OperationRules {
    const boost = this.options.errorBoost ?? ERROR_BOOST_DEFAULTS;
    // Most operations have no policy: they share one rules object instead of one each.
    if (custom === undefined) return (this.defaultRules ??= resolveRules(this.options, boost, undefined));
    return resolveRules(this.options, boost, custom);
  }
}

/** What every operation of one service's calculation shares. */
interface ServiceRound {
  service: string;
  probabilities: Record<string, number>;
  inputs: InputColumns;
  rules: ServiceRules;
  boosts: Map<string, number>;
  /** The budget's shares, where the service has one. */
  budget: Map<string, number>;
  /** The targets in effect: the budget's shares, or a flood's. */
  shares: Map<string, number>;
  flood: { shares: Map<string, number>; target: number } | undefined;
}
