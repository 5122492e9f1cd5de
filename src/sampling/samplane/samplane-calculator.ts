import type {
  AdaptiveCalculator,
  CalculationInputs,
  CalculationResult,
  OperationSettings,
  OperationSettingsResolver,
  Probabilities,
  RestoredInputs,
} from '../calculator';
import type { ThroughputBucket } from '../throughput';
import { OperationState, operationsOverCap } from './operation-state';
import { type OperationRules, ServiceRules, bounded, resolveRules } from './operation-rules';
import { RestoredErrors } from './restored-errors';
import { budgetShares, floodShares } from './service-shares';
import { ERROR_BOOST_DEFAULTS, SAMPLANE_TUNING, type SamplaneCalculatorOptions, type SamplaneTuning } from './samplane-options';
import { dictionary } from '../dictionary';
import { PACKED, PACKED_WIDTH, PackedBucket, type PackedOperations, operationsIn, servicesOf } from '../packed-bucket';
import { ColumnSlab, INPUT, type InputColumns, inputColumns } from '../input-columns';
import { type TimeSlicer, runInSlices, runToEnd } from '../../common/time-slicer';

/** Below this relative error a probability is never changed: not worth a strategy update. */
const MIN_HOLD_BAND = 0.02;
const HOLD_NOISE_DEVIATIONS = 3;

/**
 * Samplane's controller. Where Jaeger walks each probability by `target / sampled QPS` from the
 * sampled spans it happens to see, this one estimates each operation's *request* rate, which
 * does not depend on the probability served, and sets `p = target / requestRate` directly:
 *
 * - a 10× step is followed as soon as a bucket shows it, since a rate estimate that leaves the
 *   noise band jumps to the newest bucket instead of being averaged in (see `RateEstimator`);
 * - a constant load keeps its probability: the estimate is smoothed while within noise, and a
 *   probability whose expected yield is within the hold band of the target is kept;
 * - an operation without requests keeps its last probability (Jaeger doubles it every
 *   interval), because its request rate is unknown rather than zero-and-rising;
 * - a service budget is shared max-min fairly among the service's active operations, so more
 *   operations split the budget instead of multiplying the volume;
 * - at most `maxOperations` per service are kept, the busiest, so a flood of names is bounded;
 * - an operation whose error rate rises clearly above its own baseline is boosted so that about
 *   the error target of errored traces per second is sampled (see `ErrorTracker`), paid from
 *   its service's budget first where there is one.
 *
 * Input counts are requests per operation (exact where reporters send totals, sampled spans
 * scaled by 1/p where not); the probability sets tell which probabilities were in effect.
 */
export class SamplaneCalculator implements AdaptiveCalculator {
  readonly algorithm = 'samplane' as const;
  readonly counts = 'requests' as const;
  readonly usesRecentPart = true;

  private readonly tuning: SamplaneTuning;
  /** Buckets added since the last calculation, oldest first (a new leader's history is folded as read). */
  private pending: Array<ThroughputBucket | PackedBucket> = [];
  /** One operation's counts as `fold` reads them, reused: no object per operation. */
  private readonly folded: FoldedCounts = { count: 0, exact: undefined, recent: 0, outcomes: 0, errors: 0, probabilities: [] };
  /** service → operation → its row in `state`; an operation here is in the output. */
  private operations = new Map<string, Map<string, number>>();
  /** What is known of each operation, viewed one row at a time. */
  private readonly state: OperationState;
  /**
   * Restored probabilities of operations without a row yet; an operation's row holds its own
   * once calculated, so a calculation reads a number from the table, not a name from a map.
   */
  private restored: Probabilities = dictionary();
  private restoredCount = 0;
  private settings: OperationSettingsResolver = () => undefined;
  private defaultRules: OperationRules | undefined;
  private inputs = dictionary<InputColumns>();
  /** Where `inputs` are written; each calculation overwrites the last one's. */
  private readonly slab = new ColumnSlab();
  /** `inputs` as objects, made when first asked for. */
  private inputObjects: CalculationInputs | undefined;
  private dropped: Record<string, number> = dictionary();
  private folds = 0;
  /** Error state a previous leader recorded, taken up when each operation is first folded. */
  private restoredErrors = new RestoredErrors();

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
    this.state = new OperationState(this.tuning);
  }

  lastInputs(): CalculationInputs {
    if (!this.inputObjects) {
      this.inputObjects = dictionary();
      for (const [service, columns] of Object.entries(this.inputs)) this.inputObjects[service] = columns.toRecord();
    }
    return this.inputObjects;
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
    // What is restored replaces what is in effect: rows it does not name lose theirs.
    for (const operations of this.operations.values()) for (const row of operations.values()) this.state.at(row).probability = NaN;
    this.restored = dictionary();
    this.restoredCount = 0;
    for (const [service, given] of Object.entries(probabilities)) {
      const rows = this.operations.get(service);
      for (const operation of Object.keys(given)) {
        const row = rows?.get(operation);
        if (row !== undefined) {
          this.state.at(row).probability = given[operation];
        } else {
          (this.restored[service] ??= dictionary<number>())[operation] = given[operation];
          this.restoredCount++;
        }
      }
    }
    if (!restored) return;
    for (const [service, given] of Object.entries(restored.inputs)) {
      const columns = inputColumns(given);
      const rows = this.operations.get(service);
      columns.ops.forEach((operation, row) => {
        const errors = rows?.has(operation) ? undefined : columns.errorsAt(row);
        if (errors) this.restoredErrors.set(service, operation, errors, restored.elapsedSeconds);
      });
    }
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
    this.state.reserve(Math.max(this.state.size, operationsIn(bucket)));
    const fold = ++this.folds;
    const services = new Set(this.operations.keys());
    for (const service of servicesOf(bucket)) services.add(service);
    for (const service of services) {
      // Never the newest: a restored error baseline already holds the history (see `steps`).
      this.fold(service, bucket, false, fold);
      if (slicer.due()) await slicer.yield();
    }
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
    const services = new Set(this.operations.keys());
    for (const bucket of buckets) for (const service of servicesOf(bucket)) services.add(service);

    this.dropped = dictionary<number>();
    // The previous inputs go now, not when these replace them: a large fleet holds one set, not two.
    this.inputs = dictionary();
    this.inputObjects = undefined;
    const probabilities = dictionary<Record<string, number>>();
    const inputs = dictionary<InputColumns>();
    this.slab.rewind();
    // Rows this round's columns take, about: the operations held, or the buckets' if more.
    let rows = this.state.size;
    for (const bucket of buckets) rows = Math.max(rows, operationsIn(bucket));
    this.state.reserve(rows);
    rows = Math.ceil(rows * 1.25) + 64;
    for (const service of services) {
      buckets.forEach((bucket, i) => this.fold(service, bucket, bucket === newest, firstFold + i));
      const operations = this.operations.get(service);
      if (operations) {
        const excess = operationsOverCap(operations, this.state, this.options.maxOperations);
        for (const operation of excess) this.forget(service, operation);
        if (excess.length > 0) this.dropped[service] = excess.length;
        const computed = this.calculateService(service, operations, rows);
        probabilities[service] = computed.probabilities;
        inputs[service] = computed.inputs;
      }
      yield;
    }
    this.pruneRestored();
    this.restoredErrors.clear();
    this.inputs = inputs;
    // The QPS is the inputs' `qps` column: no record of a million numbers to build and hold.
    return { probabilities, qps: inputs };
  }

  private calculateService(service: string, operations: Map<string, number>, rows: number) {
    const probabilities = dictionary<number>();
    const inputs = this.slab.columns([...operations.keys()], rows);
    let i = -1;
    const rules = new ServiceRules(this.rulesFor(undefined));
    for (const operation of operations.keys()) rules.set(operation, this.rulesFor(this.settings(service, operation)));
    const boosts = this.errorBoosts(operations, rules);
    const budget = budgetShares(operations, this.state, rules, boosts, this.options.minSamplesPerSecond);
    const flood = budget.size === 0 && (this.dropped[service] ?? 0) > 0 ? floodShares(operations, this.state, rules) : undefined;
    const shares = flood?.shares ?? budget;

    for (const [operation, row] of operations) {
      i++;
      const state = this.state.at(row);
      const rule = rules.get(operation);
      const known = this.known(service, operation, state);
      const previous = known ?? this.options.initialSamplingProbability;
      const rate = state.estimator.rate ?? 0;
      const wasActive = state.wasActive;
      state.wasActive = state.estimate !== 'idle' && rate > 0;
      if (!state.wasActive) {
        // Traffic that stops mid-bucket looks like a drop in its last bucket, and the drop
        // raised the probability; silence right after says it stopped, so that rise is undone.
        const kept = wasActive && state.raisedFrom !== undefined ? state.raisedFrom : previous;
        state.raisedFrom = undefined;
        probabilities[operation] = kept;
        state.probability = kept;
        inputs.set(INPUT.previous, i, previous);
        inputs.set(INPUT.target, i, shares.get(operation) ?? rule.targetSamplesPerSecond);
        // Its clients were not seen at all, so nothing was adapted.
        inputs.set(INPUT.adaptive, i, 0);
        inputs.set(INPUT.withinTolerance, i, 0);
        inputs.set(INPUT.qps, i, 0);
        inputs.set(INPUT.requestRate, i, 0);
        inputs.set(INPUT.budget, i, rule.budgetTracesPerSecond);
        inputs.set(INPUT.sharedTarget, i, undefined);
        inputs.setEstimate(i, 'idle');
        state.errors.writeInputs(rule.errorBoost, inputs, i, operation);
        continue;
      }
      const target = shares.get(operation) ?? rule.targetSamplesPerSecond;
      // The first bucket after a quiet spell is likely partial, and one awaiting the next
      // delivery says nothing new: neither is a reason to move yet.
      const awaiting = state.estimate === 'awaiting';
      const held =
        awaiting ||
        state.estimate === 'resumed' ||
        this.holds(previous, rate, target, rule, state.estimator.relativeNoise(state.lastSeconds));
      const normal = held ? previous : bounded(target > 0 ? target / rate : 0, rule);
      // Within a budget the boost is already part of the share; elsewhere it is a floor.
      const boost = budget.has(operation) ? undefined : boosts.get(operation);
      const next = boost !== undefined && boost > normal ? bounded(boost, rule) : normal;
      // A rise is undone by the silence that follows it, however long the wait before that. A
      // rise from the initial probability is the first adaptation, not a reaction to a drop:
      // undoing it would reset the operation to a value no estimate ever gave it.
      if (!awaiting) state.raisedFrom = next > previous && known !== undefined ? previous : undefined;
      probabilities[operation] = next;
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
    return { probabilities, inputs };
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

  /** operation → the probability its error boost asks for, for the active boosted operations. */
  private errorBoosts(operations: Map<string, number>, rules: ServiceRules): Map<string, number> {
    const boosts = new Map<string, number>();
    for (const [operation, row] of operations) {
      const state = this.state.at(row);
      const rule = rules.get(operation);
      if (state.estimate === 'idle' || !((state.estimator.rate ?? 0) > 0)) {
        state.errors.endBoost();
        continue;
      }
      const boost = state.errors.boost(rule.errorBoost);
      if (boost !== undefined) boosts.set(operation, Math.min(boost, rule.maxSamplingProbability));
    }
    return boosts;
  }

  /** Folds one bucket's counts of one service into its operations' estimates (fold number `fold`). */
  private fold(service: string, bucket: ThroughputBucket | PackedBucket, newest: boolean, fold: number): void {
    const c = this.folded;
    if (bucket instanceof PackedBucket) {
      const { ops, values, lists } = bucket.services.get(service) ?? NO_OPERATIONS;
      for (let i = 0, at = 0; i < ops.length; i++, at += PACKED_WIDTH) {
        const exact = values[at + PACKED.exact];
        c.count = values[at + PACKED.count];
        c.exact = Number.isNaN(exact) ? undefined : exact;
        c.recent = values[at + PACKED.recent];
        c.outcomes = values[at + PACKED.outcomes];
        c.errors = values[at + PACKED.errors];
        c.probabilities = lists[i];
        this.foldOperation(service, ops[i], bucket, newest, fold);
      }
    } else {
      for (const [operation, t] of bucket.throughput.get(service) ?? []) {
        c.count = t.count;
        c.exact = t.exact;
        c.recent = t.recent ?? 0;
        c.outcomes = t.outcomes ?? t.count;
        c.errors = t.errors ?? 0;
        c.probabilities = t.probabilities;
        this.foldOperation(service, operation, bucket, newest, fold);
      }
    }
    this.foldIdle(service, bucket, fold);
  }

  /** Folds `this.folded` into one operation's estimates. */
  private foldOperation(service: string, operation: string, bucket: ThroughputBucket | PackedBucket, newest: boolean, fold: number): void {
    const { count, exact, recent, outcomes, errors, probabilities } = this.folded;
    if (!(count > 0)) return;
    let serviceStates = this.operations.get(service);
    if (!serviceStates) {
      serviceStates = new Map();
      this.operations.set(service, serviceStates);
    }
    let row = serviceStates.get(operation);
    if (row === undefined) {
      row = this.state.add(bucket.intervalSeconds);
      this.restoredErrors.copyTo(service, operation, this.state.errors);
      serviceStates.set(operation, row);
    }
    const state = this.state.at(row);
    const inEffect = lowestInEffect(this.known(service, operation, state) ?? this.options.initialSamplingProbability, probabilities);
    // The recent part's count and length as numbers (NaN: no recent part), not an object per operation.
    const recentSeconds = bucket.recentSeconds;
    state.estimate = state.estimator.observeCounts(count, bucket.intervalSeconds, inEffect, exact, recentSeconds ? recent : 0, recentSeconds ?? NaN);
    if (newest || !this.restoredErrors.has(service, operation)) {
      state.errors.observeCounts(count, outcomes, errors, bucket.intervalSeconds);
    }
    state.idleBuckets = 0;
    state.lastFold = fold;
    state.lastSeconds = bucket.intervalSeconds;
  }

  /** The service's operations the bucket had no counts for: idle, or forgotten after long enough. */
  private foldIdle(service: string, bucket: ThroughputBucket | PackedBucket, fold: number): void {
    for (const [operation, row] of this.operations.get(service) ?? []) {
      const state = this.state.at(row);
      if (state.lastFold === fold) continue;
      state.errors.observeNothing(bucket.intervalSeconds);
      const zero = state.estimator.observeNothing(bucket.intervalSeconds);
      if (zero) {
        state.estimate = zero;
        state.lastFold = fold;
        state.lastSeconds = bucket.intervalSeconds;
        continue;
      }
      state.estimate = 'idle';
      state.estimator.pause();
      state.idleBuckets++;
      if (state.idleBuckets > this.tuning.idleRetentionBuckets) this.forget(service, operation);
    }
  }

  /** The probability in effect: the last calculated, else a restored one (`state` at the operation's row). */
  private known(service: string, operation: string, state: OperationState): number | undefined {
    const own = state.probability;
    if (!Number.isNaN(own)) return own;
    if (this.restoredCount === 0) return undefined;
    const restored = Object.hasOwn(this.restored, service) ? this.restored[service] : undefined;
    return restored && Object.hasOwn(restored, operation) ? restored[operation] : undefined;
  }

  /** Drops the restored probabilities now held by rows: after a term's first calculations, none are left. */
  private pruneRestored(): void {
    if (this.restoredCount === 0) return;
    let left = 0;
    for (const [service, operations] of Object.entries(this.restored)) {
      const rows = this.operations.get(service);
      for (const operation of Object.keys(operations)) {
        if (rows?.has(operation)) delete operations[operation];
        else left++;
      }
      if (Object.keys(operations).length === 0) delete this.restored[service];
    }
    this.restoredCount = left;
  }

  private forget(service: string, operation: string): void {
    const states = this.operations.get(service);
    const row = states?.get(operation);
    if (states && row !== undefined) {
      this.restoredErrors.keep(service, operation, this.state.at(row).errors);
      this.state.remove(row);
      states.delete(operation);
    }
    if (states?.size === 0) this.operations.delete(service);
    const restored = Object.hasOwn(this.restored, service) ? this.restored[service] : undefined;
    if (restored) delete restored[operation];
  }

  private rulesFor(custom: OperationSettings | undefined): OperationRules {
    const boost = this.options.errorBoost ?? ERROR_BOOST_DEFAULTS;
    // Most operations have no policy: they share one rules object instead of one each.
    if (custom === undefined) return (this.defaultRules ??= resolveRules(this.options, boost, undefined));
    return resolveRules(this.options, boost, custom);
  }
}

/**
 * The lowest probability its requests were sampled at: the one in effect, or any lower one the
 * spans reported. It bounds how noisy a count scaled up from sampled spans can be.
 */
function lowestInEffect(inEffect: number, reported: readonly string[]): number {
  let lowest = inEffect;
  for (let i = 0; i < reported.length; i++) {
    const p = parsedProbability(reported[i]);
    if (p > 0 && p < lowest) lowest = p;
  }
  return lowest;
}

/** Probability texts read, and their numbers: a fleet reports a few hundred texts, each many times. */
const parsed = new Map<string, number>();
const MAX_PARSED = 4096;

function parsedProbability(text: string): number {
  let p = parsed.get(text);
  if (p === undefined) {
    p = Number(text);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(text, p);
  }
  return p;
}

const NO_OPERATIONS: PackedOperations = { ops: [], values: new Float64Array(0), lists: [] };

/** One operation's counts in a bucket, as `fold` reads them whichever form the bucket has. */
interface FoldedCounts {
  count: number;
  exact: number | undefined;
  recent: number;
  outcomes: number;
  errors: number;
  probabilities: readonly string[];
}
