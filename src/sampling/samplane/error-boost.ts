import { RowView, type RowShape, type StateTable } from './state-table';
import { INPUT, type InputColumns } from '../input-columns';

/** How one operation's error boost behaves: the engine's defaults, or a policy's. */
export interface ErrorBoostRule {
  enabled: boolean;
  /** Errored traces per second a boosted operation should yield. */
  targetErrorSamplesPerSecond: number;
  /** The highest probability a boost sets. */
  maxSamplingProbability: number;
  /** How long a boost outlives the last calculation that saw its anomaly. */
  cooldownSeconds: number;
}

/** One bucket's errors of one operation. */
export interface ErrorObservation {
  /** All requests, as estimated. */
  requests: number;
  /**
   * Requests whose outcome was seen: all of them from exact reports, the sampled ones where
   * only sampled spans are seen. Evidence is judged on these.
   */
  outcomes: number;
  /** Errors among `outcomes`. */
  errors: number;
  seconds: number;
}

/** What the explanation shows of an operation's errors, and what a new leader restores. */
export interface ErrorInputs {
  /** Errors per request in the newest bucket. */
  errorRate: number;
  errorsPerSecond: number;
  /** The operation's own long-run error rate, before the newest bucket. */
  baselineErrorRate: number;
  /** Decayed observed requests behind the baseline: how much it is worth when restored. */
  baselineWeight: number;
  /** Present while boosted. */
  boost?: {
    /** The probability the boost asks for (before a budget or bounds). */
    probability: number;
    targetErrorSamplesPerSecond: number;
    maxSamplingProbability: number;
    /** Seconds of data since a bucket last showed the anomaly (0: the newest did). */
    sinceAnomalySeconds: number;
    /** Seconds of data until the boost ends, unless the anomaly is seen again. */
    remainingSeconds: number;
    /** Whether the newest bucket still showed the anomaly (else the boost is cooling down). */
    anomalous: boolean;
  };
}

/**
 * The baseline forgets with this half-life, so a rate that stays high becomes the baseline
 * (a permanently failing operation is not boosted forever) while an incident of minutes does not.
 */
const BASELINE_HALF_LIFE_SECONDS = 600;
/** A short window beside the newest bucket, so sparse sampled errors add up to evidence. */
const SHORT_HALF_LIFE_SECONDS = 30;

/**
 * `2 ** (-seconds / halfLife)`, remembered for the last length asked: every operation of a
 * bucket asks for the same, and a power per operation was a tenth of a large fleet's calculation.
 */
class Decay {
  private seconds = Number.NaN;
  private factor = 1;

  constructor(private readonly halfLife: number) {}

  over(seconds: number): number {
    if (seconds !== this.seconds) {
      this.seconds = seconds;
      this.factor = 2 ** (-seconds / this.halfLife);
    }
    return this.factor;
  }
}
const BASELINE_DECAY = new Decay(BASELINE_HALF_LIFE_SECONDS);
const SHORT_DECAY = new Decay(SHORT_HALF_LIFE_SECONDS);
/**
 * Seconds of data a baseline needs before anything is judged against it. Short, because the
 * anomaly test also weighs how uncertain a young baseline still is.
 */
const BASELINE_WARMUP_SECONDS = 10;
/** Standard deviations above the baseline that count as an anomaly, not noise. */
const ANOMALY_DEVIATIONS = 5;
/** And the rise must matter: at least this many points of error rate, and half the baseline. */
const MIN_RISE = 0.01;
const MIN_RELATIVE_RISE = 0.5;
/** An error rate below this share of the one the boost was set at is an incident fading. */
const FADING = 0.9;
/** Observed errors below which a bucket's own errors/s is too noisy to size a boost on. */
const MIN_ERRORS_FOR_RATE = 10;

// Columns of a tracker's state in its table row. A window is five columns, in this order.
const ERRORS = 0; // estimated among all requests
const REQUESTS = 1;
const OBSERVED_ERRORS = 2;
const OBSERVED_REQUESTS = 3;
const SECONDS = 4;
const WINDOW_COLUMNS = 5;
const BASELINE_ERRORS = 0;
const BASELINE_REQUESTS = 1;
const BASELINE_SECONDS = 2;
/** The newest bucket alone. */
const NEWEST = 3;
/** A short window beside it (see `SHORT_HALF_LIFE_SECONDS`). */
const SHORT = NEWEST + WINDOW_COLUMNS;
const BASELINE_BEFORE = SHORT + WINDOW_COLUMNS;
const SINCE_ANOMALY = BASELINE_BEFORE + 1;
/** The probability of the boost; NaN while not boosted. */
const BOOSTED = SINCE_ANOMALY + 1;
/** The newest bucket's error rate when the boost last rose; NaN while not boosted. */
const BOOSTED_AT_RATE = BOOSTED + 1;
// Its flags (0 or 1).
const ANOMALOUS = 0;
/** Whether the newest bucket alone is above the baseline by enough to matter. */
const ELEVATED = 1;
export const ERROR_SHAPE: RowShape = { numbers: BOOSTED_AT_RATE + 1, flags: 2 };

/**
 * One operation's errors against its own baseline. Pure: the calculator feeds it one bucket at a
 * time and asks, at each calculation, which probability (if any) a boost calls for.
 */
export class ErrorTracker extends RowView {
  /**
   * Alone, it keeps its state in a table of its own. Given a table, it is a view of the
   * columns of `ERROR_SHAPE` from `column` on of whichever row `at` last moved it to.
   */
  constructor(table?: StateTable, column?: RowShape) {
    super(ERROR_SHAPE, table, column);
  }

  /** Continues from what a previous leader recorded. */
  static restore(inputs: ErrorInputs, elapsedSeconds: number): ErrorTracker {
    const tracker = new ErrorTracker();
    tracker.load(inputs, elapsedSeconds);
    return tracker;
  }

  /** Starts over, as before the first bucket. */
  reset(): void {
    const v = this.table.values;
    const o = this.offset;
    v.fill(0, o, o + ERROR_SHAPE.numbers);
    this.table.flags.fill(0, this.flagOffset, this.flagOffset + ERROR_SHAPE.flags);
    v[o + SINCE_ANOMALY] = Infinity;
    v[o + BOOSTED] = NaN;
    v[o + BOOSTED_AT_RATE] = NaN;
  }

  /** Starts over from what a previous leader recorded. */
  load(inputs: ErrorInputs, elapsedSeconds: number): void {
    this.reset();
    const v = this.table.values;
    const o = this.offset;
    v[o + BASELINE_REQUESTS] = inputs.baselineWeight;
    v[o + BASELINE_ERRORS] = inputs.baselineErrorRate * inputs.baselineWeight;
    v[o + BASELINE_BEFORE] = inputs.baselineErrorRate;
    if (inputs.baselineWeight > 0) v[o + BASELINE_SECONDS] = BASELINE_WARMUP_SECONDS;
    if (inputs.boost) {
      v[o + SINCE_ANOMALY] = inputs.boost.sinceAnomalySeconds + Math.max(0, elapsedSeconds);
      v[o + BOOSTED] = inputs.boost.probability;
      // The rate it last rose at is not recorded: during the anomaly, the newest bucket's is
      // the nearest; in its cooldown, none, so that it does not rise on a noisy bucket again,
      // as the leader before would not have.
      v[o + BOOSTED_AT_RATE] = inputs.boost.anomalous ? inputs.errorRate : Infinity;
    }
  }

  /** Takes over another tracker's state. */
  copyFrom(other: ErrorTracker): void {
    const from = other.table.values;
    const to = this.table.values;
    for (let i = 0; i < ERROR_SHAPE.numbers; i++) to[this.offset + i] = from[other.offset + i];
    for (let i = 0; i < ERROR_SHAPE.flags; i++) this.table.flags[this.flagOffset + i] = other.table.flags[other.flagOffset + i];
  }

  /** Folds one bucket in: judged against the baseline first, then added to it. */
  observe(bucket: ErrorObservation): void {
    this.observeCounts(bucket.requests, bucket.outcomes, bucket.errors, bucket.seconds);
  }

  /** `observe`, for callers that allocate nothing. */
  observeCounts(requests: number, outcomes: number, errors: number, seconds: number): void {
    if (!(seconds > 0) || !(requests > 0) || !(outcomes > 0)) return this.observeNothing(seconds);
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    const newest = o + NEWEST;
    const short = o + SHORT;
    const observedErrors = Math.min(outcomes, Math.max(0, errors));
    const estimatedErrors = (requests * observedErrors) / outcomes;
    v[newest + ERRORS] = estimatedErrors;
    v[newest + REQUESTS] = requests;
    v[newest + OBSERVED_ERRORS] = observedErrors;
    v[newest + OBSERVED_REQUESTS] = outcomes;
    v[newest + SECONDS] = seconds;
    const shortDecay = SHORT_DECAY.over(seconds);
    v[short + ERRORS] = v[short + ERRORS] * shortDecay + estimatedErrors;
    v[short + REQUESTS] = v[short + REQUESTS] * shortDecay + requests;
    v[short + OBSERVED_ERRORS] = v[short + OBSERVED_ERRORS] * shortDecay + observedErrors;
    v[short + OBSERVED_REQUESTS] = v[short + OBSERVED_REQUESTS] * shortDecay + outcomes;
    v[short + SECONDS] = v[short + SECONDS] * shortDecay + seconds;
    const baselineErrors = v[o + BASELINE_ERRORS];
    const baselineRequests = v[o + BASELINE_REQUESTS];
    const known = baselineRequests > 0 && v[o + BASELINE_SECONDS] >= BASELINE_WARMUP_SECONDS;
    const baselineBefore = baselineRequests > 0 ? baselineErrors / baselineRequests : estimatedErrors / requests;
    v[o + BASELINE_BEFORE] = baselineBefore;
    // The short window speaks only where the newest bucket holds too few outcomes to judge:
    // one that does and looks normal ends the anomaly, so the cooldown starts at once.
    const informative = outcomes * Math.max(baselineBefore, MIN_RISE) >= MIN_ERRORS_FOR_RATE;
    const anomalous =
      known &&
      (isAnomalous(v, newest, baselineBefore, baselineRequests) ||
        (!informative && isAnomalous(v, short, baselineBefore, baselineRequests)));
    f[p + ANOMALOUS] = anomalous ? 1 : 0;
    f[p + ELEVATED] = known && risen(v, newest, baselineBefore) ? 1 : 0;
    const decay = BASELINE_DECAY.over(seconds);
    v[o + BASELINE_ERRORS] = baselineErrors * decay + observedErrors;
    v[o + BASELINE_REQUESTS] = baselineRequests * decay + outcomes;
    v[o + BASELINE_SECONDS] += seconds;
    v[o + SINCE_ANOMALY] = anomalous ? 0 : v[o + SINCE_ANOMALY] + seconds;
  }

  /** Time no bucket covers: the cooldown runs, and nothing else changes (the baseline ages only with counts). */
  cool(seconds: number): void {
    if (seconds > 0) this.table.values[this.offset + SINCE_ANOMALY] += seconds;
  }

  /** A bucket without requests: no evidence either way, so a boost only cools down. */
  observeNothing(seconds: number): void {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    v.fill(0, o + NEWEST, o + NEWEST + WINDOW_COLUMNS);
    f[p + ANOMALOUS] = 0;
    f[p + ELEVATED] = 0;
    if (seconds > 0) v[o + SINCE_ANOMALY] += seconds;
  }

  /**
   * The probability the boost asks for now, or undefined when not boosted. It aims at `target`
   * errored traces/s, but rises only on a bucket whose own errors are up: as errors fall back
   * (the short window still shows the anomaly, then the cooldown runs) it never rises, so the
   * probability does not spike before the boost ends.
   */
  boost(rule: ErrorBoostRule): number | undefined {
    if (!this.active(rule)) {
      this.endBoost();
      return undefined;
    }
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    const perSecond = this.errorsPerSecond();
    const wanted = perSecond > 0 ? Math.min(rule.maxSamplingProbability, rule.targetErrorSamplesPerSecond / perSecond) : rule.maxSamplingProbability;
    const rate = this.newestErrorRate();
    // Fewer errors/s at a lower error rate is an incident fading (or a bucket straddling its
    // end): the probability may follow it down, never up.
    const boostedAtRate = v[o + BOOSTED_AT_RATE];
    const worsening = f[p + ELEVATED] === 1 && (Number.isNaN(boostedAtRate) || rate >= FADING * boostedAtRate);
    if (worsening || Number.isNaN(v[o + BOOSTED])) {
      v[o + BOOSTED] = wanted;
      v[o + BOOSTED_AT_RATE] = rate;
    } else {
      v[o + BOOSTED] = Math.min(v[o + BOOSTED], wanted);
    }
    return v[o + BOOSTED];
  }

  /** Ends any boost: what `boost` does under a rule that is not enabled. */
  endBoost(): void {
    this.table.values[this.offset + BOOSTED] = NaN;
    this.table.values[this.offset + BOOSTED_AT_RATE] = NaN;
  }

  /** Writes the current row's error inputs to `row` of `columns` (and its boost while boosted). */
  writeInputs(rule: ErrorBoostRule, columns: InputColumns, row: number, operation: string): void {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    const newestSeconds = v[o + NEWEST + SECONDS];
    const boosted = v[o + BOOSTED];
    const sinceAnomaly = v[o + SINCE_ANOMALY];
    columns.set(INPUT.errorRate, row, this.newestErrorRate());
    columns.set(INPUT.errorsPerSecond, row, newestSeconds > 0 ? v[o + NEWEST + ERRORS] / newestSeconds : 0);
    columns.set(INPUT.baselineErrorRate, row, v[o + BASELINE_BEFORE]);
    columns.set(INPUT.baselineWeight, row, v[o + BASELINE_REQUESTS]);
    if (this.active(rule) && !Number.isNaN(boosted)) {
      columns.boosts[operation] = {
        probability: boosted,
        targetErrorSamplesPerSecond: rule.targetErrorSamplesPerSecond,
        maxSamplingProbability: rule.maxSamplingProbability,
        sinceAnomalySeconds: sinceAnomaly,
        remainingSeconds: rule.cooldownSeconds - sinceAnomaly,
        anomalous: f[p + ANOMALOUS] === 1,
      };
    }
  }

  /** Boosted from the bucket that shows an anomaly until a cooldown of data without one. */
  private active(rule: ErrorBoostRule): boolean {
    const v = this.table.values;
    return rule.enabled && (this.table.flags[this.flagOffset + ANOMALOUS] === 1 || v[this.offset + SINCE_ANOMALY] < rule.cooldownSeconds);
  }

  private newestErrorRate(): number {
    const newest = this.offset + NEWEST;
    const requests = this.table.values[newest + REQUESTS];
    return requests > 0 ? this.table.values[newest + ERRORS] / requests : 0;
  }

  /** The newest bucket's errors/s when it holds enough errors, else the short window's. */
  private errorsPerSecond(): number {
    const v = this.table.values;
    const newest = this.offset + NEWEST;
    const short = this.offset + SHORT;
    if (v[newest + OBSERVED_ERRORS] >= MIN_ERRORS_FOR_RATE && v[newest + SECONDS] > 0) {
      return v[newest + ERRORS] / v[newest + SECONDS];
    }
    return v[short + SECONDS] > 0 ? v[short + ERRORS] / v[short + SECONDS] : 0;
  }
}

/**
 * Whether a window's errors (the five columns from `w` on) are clearly above the baseline: by
 * enough to matter, and by more than the noise of both (binomial around the baseline, plus the
 * baseline's own uncertainty from the outcomes behind it, so a young baseline is not mistaken
 * for a precise one).
 */
function isAnomalous(v: Float64Array, w: number, baselineRate: number, baselineWeight: number): boolean {
  if (!(v[w + OBSERVED_REQUESTS] > 0) || !risen(v, w, baselineRate)) return false;
  const n = v[w + OBSERVED_REQUESTS];
  const expected = n * baselineRate;
  // Laplace's rule keeps a baseline of zero errors from claiming zero uncertainty.
  const smoothed = (baselineRate * baselineWeight + 1) / (baselineWeight + 2);
  const variance = n * smoothed * (1 - smoothed) * (1 + n / Math.max(baselineWeight, 1));
  const deviation = Math.sqrt(Math.max(1, variance));
  return (v[w + OBSERVED_ERRORS] - expected) / deviation >= ANOMALY_DEVIATIONS;
}

/** Whether a window's error rate is above the baseline by enough to matter, noise aside. */
function risen(v: Float64Array, w: number, baseline: number): boolean {
  if (!(v[w + REQUESTS] > 0)) return false;
  return v[w + ERRORS] / v[w + REQUESTS] - baseline >= Math.max(MIN_RISE, MIN_RELATIVE_RISE * baseline);
}
