import { PackedBucket } from '../packed-bucket';
import type { AdaptiveOptions } from '../adaptive-options';
import type {
  AdaptiveCalculator,
  CalculationInputs,
  CalculationResult,
  OperationInputs,
  OperationSettingsResolver,
  Probabilities,
} from '../calculator';
import type { ThroughputBucket } from '../throughput';
import { type ProbabilityCalculator, cappedCalculator } from './capped-calculator';
import { type AdaptiveObservation, isUsingAdaptiveSampling, nextProbability, withinTolerance } from './probability';
import { serviceQpsSeries, weightedQps } from './qps';
import { WeightVectorCache } from './weights';
import { copyProbabilities, dictionary } from '../dictionary';
import { InputColumns } from '../input-columns';
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

type Observations = Map<string, Map<string, AdaptiveObservation>>;

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

  private readonly weights = new WeightVectorCache();
  private readonly calculator: ProbabilityCalculator;
  /** Newest first. */
  private buckets: ThroughputBucket[] = [];
  private probabilities: Probabilities = dictionary();
  /**
   * What the last calculation concluded per operation. Jaeger keeps a history of these but
   * only ever reads the previous round's, for operations missing from the newest bucket.
   * It belongs to this instance and survives `restore`, as Jaeger's survives a change of leader.
   */
  private previousRound: Observations = new Map();
  private settings: OperationSettingsResolver = () => undefined;
  private inputs: CalculationInputs = dictionary();

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
  }

  lastInputs(): CalculationInputs {
    return this.inputs;
  }

  lastInputColumns(): Record<string, InputColumns> {
    const columns = dictionary<InputColumns>();
    for (const [service, inputs] of Object.entries(this.inputs)) columns[service] = InputColumns.fromRecord(inputs);
    return columns;
  }

  /** Jaeger keeps every operation it sees; only serving caps what SDKs receive. */
  droppedOperations(): Record<string, number> {
    return {};
  }

  useSettings(resolver: OperationSettingsResolver): void {
    this.settings = resolver;
  }

  restore(probabilities: Probabilities): void {
    this.probabilities = copyProbabilities(probabilities);
  }

  addBucket(bucket: ThroughputBucket | PackedBucket): void {
    this.buckets.unshift(bucket instanceof PackedBucket ? bucket.unpacked() : bucket);
    if (this.buckets.length > this.options.aggregationBuckets) {
      this.buckets.length = this.options.aggregationBuckets;
    }
  }

  calculate(): CalculationResult {
    return runToEnd(this.steps());
  }

  calculateInSlices(slicer: TimeSlicer): Promise<CalculationResult> {
    return runInSlices(this.steps(), slicer);
  }

  /** The calculation one service at a time (no service's result depends on another's). */
  private *steps(): Generator<void, CalculationResult> {
    const probabilities = dictionary<Record<string, number>>();
    const qps = dictionary<Record<string, number>>();
    const thisRound: Observations = new Map();
    const newest = this.buckets[0]?.throughput;
    // The previous inputs go now, not when these replace them: a large fleet holds one set, not two.
    this.inputs = dictionary();
    const inputs = dictionary<Record<string, OperationInputs>>();
    const services = new Set<string>();
    for (const bucket of this.buckets) for (const service of bucket.throughput.keys()) services.add(service);

    for (const service of services) {
      const operations = serviceQpsSeries(this.buckets, service, this.options.calculationBuckets);
      const serviceProbabilities = dictionary<number>();
      const serviceQps = dictionary<number>();
      const serviceObservations = new Map<string, AdaptiveObservation>();
      const serviceInputs = dictionary<OperationInputs>();
      for (const [operation, values] of operations) {
        const operationQps = weightedQps(values, this.weights);
        const old = this.probabilities[service]?.[operation] ?? this.options.initialSamplingProbability;
        const usingAdaptive = isUsingAdaptiveSampling(
          old,
          this.options.initialSamplingProbability,
          newest?.get(service)?.get(operation),
          this.previousRound.get(service)?.get(operation),
        );
        serviceObservations.set(operation, { probability: old, usingAdaptive });
        serviceQps[operation] = operationQps;
        const rules = this.rulesFor(service, operation);
        const next = nextProbability(old, operationQps, usingAdaptive, rules, this.calculator);
        serviceProbabilities[operation] = next;
        serviceInputs[operation] = {
          previous: old,
          target: rules.targetSamplesPerSecond,
          adaptive: usingAdaptive,
          withinTolerance: withinTolerance(operationQps, rules.targetSamplesPerSecond, rules.deltaTolerance),
          qps: operationQps,
        };
      }
      probabilities[service] = serviceProbabilities;
      inputs[service] = serviceInputs;
      qps[service] = serviceQps;
      thisRound.set(service, serviceObservations);
      yield;
    }

    this.previousRound = thisRound;
    // Operations absent from every bucket are dropped here, so they restart from the initial
    // probability if they come back.
    this.probabilities = probabilities;
    this.inputs = inputs;
    return { probabilities: copyProbabilities(probabilities), qps };
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
