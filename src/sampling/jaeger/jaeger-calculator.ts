import type { PackedBucket } from '../packed-bucket';
import type { AdaptiveOptions } from '../adaptive-options';
import type {
  AdaptiveCalculator,
  CalculationInputs,
  CalculationResult,
  OperationSettingsResolver,
  Probabilities,
} from '../calculator';
import type { ThroughputBucket } from '../throughput';
import { type ProbabilityCalculator, cappedCalculator } from './capped-calculator';
import { isUsingAdaptiveSampling, nextProbability, withinTolerance } from './probability';
import { weightedQps } from './qps';
import { WeightVectorCache } from './weights';
import { BucketHistory, type ServiceRows } from './bucket-history';
import { copyProbabilities, dictionary, own } from '../dictionary';
import { ColumnSlab, INPUT, type InputColumns, inputRecords } from '../input-columns';
import { type TimeSlicer, runInSlices, runToEnd } from '../../common/time-slicer';

export type JaegerCalculatorOptions = Pick<
  AdaptiveOptions,
  | 'targetSamplesPerSecond'
  | 'deltaTolerance'
  | 'calculationBuckets'
  | 'aggregationBuckets'
  | 'initialSamplingProbability'
  | 'minSamplingProbability'
  | 'increaseCap'
>;

/** Inputs `samplane` writes and Jaeger has no notion of. */
const ABSENT_INPUTS = [
  INPUT.requestRate,
  INPUT.budget,
  INPUT.sharedTarget,
  INPUT.estimate,
  INPUT.errorRate,
  INPUT.errorsPerSecond,
  INPUT.baselineErrorRate,
  INPUT.baselineWeight,
] as const;

/**
 * Jaeger's adaptive sampling (its post-aggregator), rule for rule: each operation is steered
 * towards `targetSamplesPerSecond` sampled traces per second from a recency-weighted QPS, but
 * only while its clients visibly follow the served probability.
 */
export class JaegerCalculator implements AdaptiveCalculator {
  readonly algorithm = 'jaeger' as const;
  /** Jaeger counts sampled root spans: its target is sampled traces per second. */
  readonly counts = 'sampled' as const;
  readonly usesRecentPart = false;
  /** Its adaptive check asks whether the list holds the probability in effect. */
  readonly readsProbabilityLists = true;

  private readonly weights = new WeightVectorCache();
  private readonly calculator: ProbabilityCalculator;
  /**
   * The held buckets' counts, and per operation what the last calculation read and concluded.
   * Jaeger keeps a history of conclusions but only ever reads the previous round's, for
   * operations missing from the newest bucket; they survive `restore`, as Jaeger's survive a
   * change of leader.
   */
  private readonly history: BucketHistory;
  /** Probabilities given by `restore`, for operations the next calculation has no own one of. */
  private restored: Probabilities | undefined;
  private settings: OperationSettingsResolver = () => undefined;
  private inputs = dictionary<InputColumns>();
  /** Where `inputs` are written; each calculation overwrites the last one's. */
  private readonly slab = new ColumnSlab();
  /** `inputs` as objects, made when first asked for. */
  private inputObjects: CalculationInputs | undefined;
  /** One operation's QPS values, newest first, reused. */
  private readonly series: number[] = [];

  constructor(private readonly options: JaegerCalculatorOptions) {
    if (!Number.isInteger(options.aggregationBuckets) || options.aggregationBuckets < 1) {
      throw new RangeError('aggregationBuckets must be an integer of at least 1');
    }
    if (!Number.isInteger(options.calculationBuckets) || options.calculationBuckets < 1) {
      throw new RangeError('calculationBuckets must be an integer of at least 1');
    }
    // Jaeger's calculator silently turns a cap of 0 into 0.5; refusing it is less surprising.
    if (!(options.increaseCap > 0)) throw new RangeError('increaseCap must be positive');
    this.calculator = cappedCalculator(options.increaseCap);
    this.history = new BucketHistory(options.aggregationBuckets);
  }

  lastInputs(): CalculationInputs {
    return (this.inputObjects ??= inputRecords(this.inputs));
  }

  lastInputColumns(): Record<string, InputColumns> {
    return this.inputs;
  }

  /** Jaeger keeps every operation it sees; only serving caps what SDKs receive. */
  droppedOperations(): Record<string, number> {
    return {};
  }

  useSettings(resolver: OperationSettingsResolver): void {
    this.settings = resolver;
  }

  /** Replaces the probabilities in effect, the last calculated ones included. */
  restore(probabilities: Probabilities): void {
    this.restored = copyProbabilities(probabilities);
    for (const rows of this.history.services.values()) rows.forgetProbabilities();
  }

  /** The newest bucket; once `aggregationBuckets` are held, the oldest goes. */
  addBucket(bucket: ThroughputBucket | PackedBucket): void {
    this.history.add(bucket);
  }

  calculate(): CalculationResult {
    return runToEnd(this.steps());
  }

  calculateInSlices(slicer: TimeSlicer): Promise<CalculationResult> {
    return runInSlices(this.steps(), slicer);
  }

  /**
   * The calculation one service at a time (no service's result depends on another's). Rows
   * are updated as each service is calculated: no bucket may be added nor probabilities
   * restored while a sliced calculation is paused (the engine runs one at a time, and each
   * term has a calculator of its own).
   */
  private *steps(): Generator<void, CalculationResult> {
    const probabilities = dictionary<Record<string, number>>();
    // The previous inputs go now, not when these replace them: a large fleet holds one set, not two.
    this.inputs = dictionary();
    this.inputObjects = undefined;
    const inputs = dictionary<InputColumns>();
    this.slab.rewind();
    const history = this.history;
    history.prune();
    const slots = history.heldSlots();
    let operations = 0;
    for (const rows of history.services.values()) {
      rows.prune(slots);
      operations += rows.size;
    }
    const capacity = Math.ceil(operations * 1.25) + 64;

    for (const [service, rows] of history.services) {
      const serviceProbabilities = dictionary<number>();
      const serviceInputs = this.slab.columns(rows.names.slice(), capacity);
      const restored = own(this.restored, service);
      for (let row = 0; row < rows.size; row++) {
        const operation = rows.names[row];
        const operationQps = this.weightedQps(rows, row, slots);
        const last = rows.probability(row);
        const old = !Number.isNaN(last) ? last : (restored?.[operation] ?? this.options.initialSamplingProbability);
        const lists = rows.newestLists(row);
        const usingAdaptive = isUsingAdaptiveSampling(
          old,
          this.options.initialSamplingProbability,
          lists && { count: rows.countAt(row, slots[0]), probabilities: lists },
          rows.seen(row),
        );
        const rules = this.rulesFor(service, operation);
        const next = nextProbability(old, operationQps, usingAdaptive, rules, this.calculator);
        rows.calculated(row, old, usingAdaptive, next);
        serviceProbabilities[operation] = next;
        serviceInputs.set(INPUT.previous, row, old);
        serviceInputs.set(INPUT.target, row, rules.targetSamplesPerSecond);
        serviceInputs.set(INPUT.adaptive, row, usingAdaptive ? 1 : 0);
        serviceInputs.set(INPUT.withinTolerance, row, withinTolerance(operationQps, rules.targetSamplesPerSecond, rules.deltaTolerance) ? 1 : 0);
        serviceInputs.set(INPUT.qps, row, operationQps);
        for (const absent of ABSENT_INPUTS) serviceInputs.set(absent, row, undefined);
      }
      probabilities[service] = serviceProbabilities;
      inputs[service] = serviceInputs;
      yield;
    }

    // Operations absent from every bucket are gone, so they restart from the initial
    // probability if they come back; the restored ones are each row's own now.
    this.restored = undefined;
    this.inputs = inputs;
    // The QPS is the inputs' `qps` column: no record of a million numbers to build and hold.
    return { probabilities, qps: inputs };
  }

  /** Jaeger's recency-weighted QPS of `row` (see `BucketHistory.qpsSeries`). */
  private weightedQps(rows: ServiceRows, row: number, slots: readonly number[]): number {
    return weightedQps(this.history.qpsSeries(rows, row, slots, this.options.calculationBuckets, this.series), this.weights);
  }

  private rulesFor(service: string, operation: string) {
    const custom = this.settings(service, operation);
    if (!custom) return this.options;
    return {
      targetSamplesPerSecond: custom.targetSamplesPerSecond ?? this.options.targetSamplesPerSecond,
      deltaTolerance: this.options.deltaTolerance,
      minSamplingProbability: custom.minSamplingProbability ?? this.options.minSamplingProbability,
      maxSamplingProbability: custom.maxSamplingProbability,
    };
  }
}
