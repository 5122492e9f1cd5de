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

interface Window {
  errors: number;
  requests: number;
  observedErrors: number;
  observedRequests: number;
  seconds: number;
}

const empty = (): Window => ({ errors: 0, requests: 0, observedErrors: 0, observedRequests: 0, seconds: 0 });

/**
 * One operation's errors against its own baseline. Pure: the calculator feeds it one bucket at a
 * time and asks, at each calculation, which probability (if any) a boost calls for.
 */
export class ErrorTracker {
  private baselineErrors = 0;
  private baselineRequests = 0;
  private baselineSeconds = 0;
  private short = empty();
  private newest: Window = empty();
  private baselineBefore = 0;
  private anomalous = false;
  /** Whether the newest bucket alone is above the baseline by enough to matter. */
  private elevated = false;
  private sinceAnomaly = Infinity;
  private boosted: number | undefined;
  /** The newest bucket's error rate when the boost last rose. */
  private boostedAtRate: number | undefined;

  /** Continues from what a previous leader recorded. */
  static restore(inputs: ErrorInputs, elapsedSeconds: number): ErrorTracker {
    const tracker = new ErrorTracker();
    tracker.baselineRequests = inputs.baselineWeight;
    tracker.baselineErrors = inputs.baselineErrorRate * inputs.baselineWeight;
    tracker.baselineBefore = inputs.baselineErrorRate;
    if (inputs.baselineWeight > 0) tracker.baselineSeconds = BASELINE_WARMUP_SECONDS;
    if (inputs.boost) {
      tracker.sinceAnomaly = inputs.boost.sinceAnomalySeconds + Math.max(0, elapsedSeconds);
      tracker.boosted = inputs.boost.probability;
    }
    return tracker;
  }

  /** Folds one bucket in: judged against the baseline first, then added to it. */
  observe(bucket: ErrorObservation): void {
    if (!(bucket.seconds > 0) || !(bucket.requests > 0) || !(bucket.outcomes > 0)) return this.observeNothing(bucket.seconds);
    const observedErrors = Math.min(bucket.outcomes, Math.max(0, bucket.errors));
    this.newest = {
      errors: (bucket.requests * observedErrors) / bucket.outcomes,
      requests: bucket.requests,
      observedErrors,
      observedRequests: bucket.outcomes,
      seconds: bucket.seconds,
    };
    const shortDecay = 2 ** (-bucket.seconds / SHORT_HALF_LIFE_SECONDS);
    this.short = {
      errors: this.short.errors * shortDecay + this.newest.errors,
      requests: this.short.requests * shortDecay + this.newest.requests,
      observedErrors: this.short.observedErrors * shortDecay + this.newest.observedErrors,
      observedRequests: this.short.observedRequests * shortDecay + this.newest.observedRequests,
      seconds: this.short.seconds * shortDecay + bucket.seconds,
    };
    const known = this.baselineRequests > 0 && this.baselineSeconds >= BASELINE_WARMUP_SECONDS;
    this.baselineBefore =
      this.baselineRequests > 0 ? this.baselineErrors / this.baselineRequests : this.newest.errors / this.newest.requests;
    const baseline = { rate: this.baselineBefore, weight: this.baselineRequests };
    // The short window speaks only where the newest bucket holds too few outcomes to judge:
    // one that does and looks normal ends the anomaly, so the cooldown starts at once.
    const informative = this.newest.observedRequests * Math.max(this.baselineBefore, MIN_RISE) >= MIN_ERRORS_FOR_RATE;
    this.anomalous =
      known && (isAnomalous(this.newest, baseline) || (!informative && isAnomalous(this.short, baseline)));
    this.elevated = known && risen(this.newest, this.baselineBefore);
    const decay = 2 ** (-bucket.seconds / BASELINE_HALF_LIFE_SECONDS);
    this.baselineErrors = this.baselineErrors * decay + this.newest.observedErrors;
    this.baselineRequests = this.baselineRequests * decay + this.newest.observedRequests;
    this.baselineSeconds += bucket.seconds;
    this.sinceAnomaly = this.anomalous ? 0 : this.sinceAnomaly + bucket.seconds;
  }

  /** A bucket without requests: no evidence either way, so a boost only cools down. */
  observeNothing(seconds: number): void {
    this.newest = empty();
    this.anomalous = false;
    this.elevated = false;
    if (seconds > 0) this.sinceAnomaly += seconds;
  }

  /**
   * The probability the boost asks for now, or undefined when not boosted. It aims at `target`
   * errored traces/s, but rises only on a bucket whose own errors are up: as errors fall back
   * (the short window still shows the anomaly, then the cooldown runs) it never rises, so the
   * probability does not spike before the boost ends.
   */
  boost(rule: ErrorBoostRule): number | undefined {
    if (!this.active(rule)) {
      this.boosted = undefined;
      this.boostedAtRate = undefined;
      return undefined;
    }
    const perSecond = this.errorsPerSecond();
    const wanted = perSecond > 0 ? Math.min(rule.maxSamplingProbability, rule.targetErrorSamplesPerSecond / perSecond) : rule.maxSamplingProbability;
    const rate = this.newest.requests > 0 ? this.newest.errors / this.newest.requests : 0;
    // Fewer errors/s at a lower error rate is an incident fading (or a bucket straddling its
    // end): the probability may follow it down, never up.
    const worsening = this.elevated && (this.boostedAtRate === undefined || rate >= FADING * this.boostedAtRate);
    if (worsening || this.boosted === undefined) {
      this.boosted = wanted;
      this.boostedAtRate = rate;
    } else {
      this.boosted = Math.min(this.boosted, wanted);
    }
    return this.boosted;
  }

  inputs(rule: ErrorBoostRule): ErrorInputs {
    const newest = this.newest;
    return {
      errorRate: newest.requests > 0 ? newest.errors / newest.requests : 0,
      errorsPerSecond: newest.seconds > 0 ? newest.errors / newest.seconds : 0,
      baselineErrorRate: this.baselineBefore,
      baselineWeight: this.baselineRequests,
      ...(this.active(rule) &&
        this.boosted !== undefined && {
          boost: {
            probability: this.boosted,
            targetErrorSamplesPerSecond: rule.targetErrorSamplesPerSecond,
            maxSamplingProbability: rule.maxSamplingProbability,
            sinceAnomalySeconds: this.sinceAnomaly,
            remainingSeconds: rule.cooldownSeconds - this.sinceAnomaly,
            anomalous: this.anomalous,
          },
        }),
    };
  }

  /** Boosted from the bucket that shows an anomaly until a cooldown of data without one. */
  private active(rule: ErrorBoostRule): boolean {
    return rule.enabled && (this.anomalous || this.sinceAnomaly < rule.cooldownSeconds);
  }

  /** The newest bucket's errors/s when it holds enough errors, else the short window's. */
  private errorsPerSecond(): number {
    if (this.newest.observedErrors >= MIN_ERRORS_FOR_RATE && this.newest.seconds > 0) {
      return this.newest.errors / this.newest.seconds;
    }
    return this.short.seconds > 0 ? this.short.errors / this.short.seconds : 0;
  }
}

/**
 * Whether a window's errors are clearly above the baseline: by enough to matter, and by more
 * than the noise of both (binomial around the baseline, plus the baseline's own uncertainty from
 * the outcomes behind it, so a young baseline is not mistaken for a precise one).
 */
function isAnomalous(window: Window, baseline: { rate: number; weight: number }): boolean {
  if (!(window.observedRequests > 0) || !risen(window, baseline.rate)) return false;
  const n = window.observedRequests;
  const expected = n * baseline.rate;
  // Laplace's rule keeps a baseline of zero errors from claiming zero uncertainty.
  const smoothed = (baseline.rate * baseline.weight + 1) / (baseline.weight + 2);
  const variance = n * smoothed * (1 - smoothed) * (1 + n / Math.max(baseline.weight, 1));
  const deviation = Math.sqrt(Math.max(1, variance));
  return (window.observedErrors - expected) / deviation >= ANOMALY_DEVIATIONS;
}

/** Whether a window's error rate is above the baseline by enough to matter, noise aside. */
function risen(window: Window, baseline: number): boolean {
  if (!(window.requests > 0)) return false;
  return window.errors / window.requests - baseline >= Math.max(MIN_RISE, MIN_RELATIVE_RISE * baseline);
}
