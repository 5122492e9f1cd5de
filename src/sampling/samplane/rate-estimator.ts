import { RowView, type RowShape, type StateTable } from './state-table';

/**
 * How the newest observation was folded into the estimate: first sight, blended in (within
 * noise), taken as the new level (step), the first bucket after a quiet spell (resumed), or not
 * yet: an empty bucket soon after a busy one, waiting for the next delivery (awaiting).
 */
export type EstimateKind = 'first' | 'smoothed' | 'step' | 'resumed' | 'awaiting';

export interface RateEstimatorTuning {
  /** Weight of the newest bucket when it is within noise of the estimate (an EWMA). */
  smoothing: number;
  /** Standard deviations beyond which the newest bucket is taken as a real change. */
  stepThreshold: number;
}

/**
 * Learning rate of the dispersion (how much noisier the counts are than Poisson) once it has
 * seen a few buckets; before that it is a plain running mean, so it settles within minutes.
 * Its own noise widens or narrows the step test by about ±15%.
 */
const DISPERSION_LEARNING = 0.1;
/**
 * A residual counts at most this many times the current dispersion (a 4σ deviation) when
 * learning it, so that a real step widens the noise band by a bounded factor per bucket. The
 * dispersion never exceeds 1/p anyway, which keeps a 10× step detectable whatever it learnt.
 */
const DISPERSION_CLIP = 16;
/** Var(n₀ − 2n₁ + n₂) = 6·Var(n) for independent counts of one level. */
const SECOND_DIFFERENCE_VARIANCE = 6;

/** The count of a bucket's last part alone, already included in the bucket's count. */
export interface RecentPart {
  count: number;
  seconds: number;
}

/**
 * Expected observations in a bucket below which a bucket without any is a zero count rather
 * than a pause: e^−3 ≈ 5% of such buckets are empty by chance alone.
 */
const ABSENCE_EVIDENCE = 3;
/**
 * Counts arrive in deliveries, not request by request: OpenTelemetry's batch span processor
 * exports every 5 s, the Node client reports every 10 s. Empty buckets spanning no more than
 * this since the last delivery are the wait for the next one, whose count covers them too; a
 * quiet spell is judged only once the wait is longer.
 */
export const DELIVERY_GAP_SECONDS = 12;
/** A rise below this factor, after rising before, is taken as a ramp rather than a step. */
const RAMP_JUMP = 1.5;
/**
 * Fewer requests than this in the recent part say too little to set a level from. Counted in
 * what they are worth: a count scaled up from sampled spans is worth its spans, not its requests.
 */
const MIN_RECENT_COUNT = 10;

// Number columns of an estimator's state in its table row.
const ESTIMATE = 0; // NaN before the first observation
const DISPERSION = 1;
/** The previous bucket's standardised residual; 0 after a jump. */
const LAST_RESIDUAL = 2;
/** The last two observed rates, for the second differences; NaN where not seen yet. */
const PREVIOUS_RATE = 3;
const RATE_BEFORE_PREVIOUS = 4;
/** Second differences learnt from so far (the initial guess counting as one). */
const LEARNT = 5;
/** Seconds of empty buckets since the last delivery, to be covered by the next one. */
const AWAITED = 6;
// Its flags (0 or 1).
/** Whether the next bucket replaces the estimate (after first sight or a jump). */
const PROVISIONAL = 0;
/**
 * Whether the last change was upwards: a jump up (kept through the bucket that replaces it)
 * or a bucket above the estimate by more than one standard deviation.
 */
const RISING = 1;
/** Whether the operation was quiet before the next bucket. */
const PAUSED = 2;
export const RATE_SHAPE: RowShape = { numbers: 7, flags: 3 };

/**
 * One operation's request rate, estimated from one count per bucket. Each bucket is asked
 * whether noise around the estimate explains it: if so it is blended in (a constant load keeps
 * a steady estimate), if not the estimate jumps to it (a 10× step is followed within one
 * bucket). A rise is taken as having begun mid-bucket (`2·observed − old`) unless the bucket's
 * recent part tells where it began; a fall is not extrapolated, as too deep a guess would
 * oversample. Noise is Poisson times a dispersion learnt from second differences (so a steady
 * ramp is not mistaken for noise), bounded by what the exactly counted share allows.
 */
export class RateEstimator extends RowView {
  /**
   * Alone, it keeps its state in a table of its own. Given a table, it is a view of the
   * columns of `RATE_SHAPE` from `column` on of whichever row `at` last moved it to.
   */
  constructor(
    private readonly tuning: RateEstimatorTuning,
    table?: StateTable,
    column?: RowShape,
  ) {
    super(RATE_SHAPE, table, column);
  }

  /** Starts over, as before the first observation. */
  reset(): void {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    v[o + ESTIMATE] = NaN;
    v[o + DISPERSION] = 1;
    v[o + LAST_RESIDUAL] = 0;
    f[p + PROVISIONAL] = 0;
    v[o + PREVIOUS_RATE] = NaN;
    v[o + RATE_BEFORE_PREVIOUS] = NaN;
    f[p + RISING] = 0;
    f[p + PAUSED] = 0;
    v[o + LEARNT] = 1;
    v[o + AWAITED] = 0;
  }

  /** Requests per second; undefined before the first observation. */
  get rate(): number | undefined {
    const estimate = this.table.values[this.offset + ESTIMATE];
    return Number.isNaN(estimate) ? undefined : estimate;
  }

  /** How much noisier than Poisson the counts have looked (≥ 1). */
  get noiseDispersion(): number {
    return this.table.values[this.offset + DISPERSION];
  }

  /**
   * A bucket of `seconds` without requests. Within `DELIVERY_GAP_SECONDS` of the last delivery
   * it is awaited: the next delivery's count is taken over it too. Otherwise the whole empty
   * stretch is folded in as a zero count when so few were expected that it says nothing of the
   * traffic stopping (a low probability not adapted yet leaves sparse sampled spans); undefined
   * when it does, and the caller pauses the estimate. The zero is judged by the noise that made
   * it likely, not by a probability served since, which those spans may not have had yet.
   */
  observeNothing(seconds: number): EstimateKind | undefined {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    const estimate = v[o + ESTIMATE];
    if (f[p + PAUSED] === 1 || Number.isNaN(estimate)) return undefined;
    v[o + AWAITED] += seconds;
    if (v[o + AWAITED] <= DELIVERY_GAP_SECONDS) return 'awaiting';
    const empty = v[o + AWAITED];
    v[o + AWAITED] = 0;
    // Expected independent observations: requests counted exactly, or sampled spans.
    const dispersion = v[o + DISPERSION];
    const expected = (estimate * empty) / dispersion;
    if (expected >= ABSENCE_EVIDENCE) return undefined;
    return this.observeCounts(0, empty, 1 / dispersion, NaN, 0, NaN);
  }

  /** Relative standard deviation of one bucket's rate around the estimate. */
  relativeNoise(seconds: number): number {
    const estimate = this.table.values[this.offset + ESTIMATE];
    const expected = (Number.isNaN(estimate) ? 0 : estimate) * seconds;
    return Math.sqrt(this.table.values[this.offset + DISPERSION] / Math.max(expected, 1));
  }

  /**
   * Folds in one bucket: `count` requests over `seconds`, sampled at `probability` (the lowest
   * in effect), which bounds how noisy the count can be.
   */
  observe(count: number, bucketSeconds: number, probability: number, bucketRecent?: RecentPart, exact?: number): EstimateKind {
    return bucketRecent
      ? this.observeCounts(count, bucketSeconds, probability, exact ?? NaN, bucketRecent.count, bucketRecent.seconds)
      : this.observeCounts(count, bucketSeconds, probability, exact ?? NaN, 0, NaN);
  }

  /** `observe`, with the recent part as two numbers (NaN seconds: none), for callers that allocate nothing. */
  observeCounts(
    count: number,
    bucketSeconds: number,
    probability: number,
    /** NaN where unknown: a number either way, never boxed for `undefined`. */
    exact: number,
    bucketRecentCount: number,
    bucketRecentSeconds: number,
  ): EstimateKind {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    // A delivery after awaited empty buckets holds their requests too. Where in the bucket it
    // landed then tells when it was delivered, not when its requests came, so it is not split.
    const awaited = v[o + AWAITED];
    const seconds = bucketSeconds + awaited;
    const recentSeconds = awaited > 0 ? NaN : bucketRecentSeconds;
    v[o + AWAITED] = 0;
    const observed = count / seconds;
    // Scaled-up counts are 1/p times noisier than Poisson; exactly counted ones are Poisson.
    const scaled = Number.isNaN(exact) || !(count > 0) ? 1 : Math.min(1, Math.max(0, (count - exact) / count));
    const maxDispersion = 1 + scaled * (1 / Math.min(1, Math.max(probability, 1e-9)) - 1);
    // The bucket split into its earlier part and the recent one, where the recent one is given.
    const split = recentSeconds > 0 && recentSeconds < seconds;
    const recentCount = split ? Math.min(count, Math.max(0, bucketRecentCount)) : 0;
    const recentRate = recentCount / recentSeconds;
    const earlierCount = count - recentCount;
    const earlierSeconds = seconds - recentSeconds;
    if (Number.isNaN(v[o + ESTIMATE])) {
      this.learnDispersion(observed, seconds, maxDispersion);
      // Traffic already there before the recent part shows its level in the recent part;
      // traffic that appeared within it, as if it had appeared midway through it.
      v[o + ESTIMATE] =
        split && recentCount / maxDispersion >= MIN_RECENT_COUNT
          ? earlierCount > 0
            ? recentRate
            : 2 * recentRate
          : 2 * observed;
      v[o + DISPERSION] = maxDispersion;
      return this.jumped('first');
    }
    const { stepThreshold, smoothing } = this.tuning;
    const estimate = v[o + ESTIMATE];
    const expected = estimate * seconds;
    // The larger of the two counts: a drop to near zero must not shrink the noise it is judged
    // by. The estimate is itself noisy (an EWMA's variance is a/(2−a) of one bucket's).
    const dispersion = Math.min(maxDispersion, v[o + DISPERSION]);
    const variance = Math.max(count, expected, 1) * dispersion * (1 + smoothing / (2 - smoothing));
    const z = (count - expected) / Math.sqrt(variance);
    // Learnt after the test, so that a step does not widen the band it is judged by.
    this.learnDispersion(observed, seconds, maxDispersion);
    if (f[p + PAUSED] === 1) {
      // Traffic that resumes mid-bucket shows only part of its rate: a lower count says
      // nothing yet, a clearly higher one is a rise like any other.
      f[p + PAUSED] = 0;
      if (z <= stepThreshold) {
        f[p + PROVISIONAL] = 1;
        v[o + LAST_RESIDUAL] = 0;
        return 'resumed';
      }
      v[o + ESTIMATE] = 2 * observed - estimate;
      return this.jumped('step');
    }
    // An empty bucket (sparse spans) does not replace a level; it is blended in below.
    if (f[p + PROVISIONAL] === 1 && count > 0) {
      v[o + ESTIMATE] = observed;
      f[p + PROVISIONAL] = 0;
      v[o + LAST_RESIDUAL] = 0;
      return 'step';
    }
    f[p + PROVISIONAL] = 0;
    const half = stepThreshold / 2;
    const lastResidual = v[o + LAST_RESIDUAL];
    // Two buckets in a row beyond half the threshold on the same side are a change too.
    const sustained = Math.abs(z) > half && Math.abs(lastResidual) > half && Math.sign(z) === Math.sign(lastResidual);
    // A rise by less than half again after rising before is a ramp: it goes on climbing while
    // the probability is applied, so it is extrapolated below rather than levelled off here.
    const ramp = z > 0 && f[p + RISING] === 1 && observed < RAMP_JUMP * estimate;
    const informative = split && Math.max(recentCount, estimate * recentSeconds) / maxDispersion >= MIN_RECENT_COUNT;
    if (Math.abs(z) > stepThreshold && !ramp && split && informative) {
      v[o + ESTIMATE] = this.levelAfterStep(earlierCount, earlierSeconds, recentRate, Math.sign(z), dispersion);
      return this.jumped('step', z > 0);
    }
    if (Math.abs(z) > stepThreshold || sustained) {
      // A large jump after a bucket already above the estimate (but within noise) most likely
      // began in that bucket, so this one shows all of it: extrapolating would double-count
      // it. A ramp climbs by small sustained steps instead, and keeps its extrapolation.
      const alreadyRising = lastResidual > 1 && Math.abs(z) > stepThreshold && observed > RAMP_JUMP * estimate;
      const rises = observed > estimate;
      v[o + ESTIMATE] = rises && !alreadyRising ? 2 * observed - estimate : observed;
      return this.jumped('step', rises);
    }
    v[o + ESTIMATE] = estimate + smoothing * (observed - estimate);
    f[p + RISING] = z > 1 ? 1 : 0;
    v[o + LAST_RESIDUAL] = z;
    return 'smoothed';
  }

  /**
   * The new level after a step, from where in the bucket it began: in the earlier part (that
   * part already left the noise band on the same side), the recent part shows the new level
   * alone; only in the recent part, a rise is taken as if it began midway through it, and a
   * fall as the recent part shows it (guessing a fall too deep would oversample).
   */
  private levelAfterStep(
    earlierCount: number,
    earlierSeconds: number,
    recentRate: number,
    direction: number,
    dispersion: number,
  ): number {
    const old = this.table.values[this.offset + ESTIMATE];
    const expected = old * earlierSeconds;
    const z = (earlierCount - expected) / Math.sqrt(Math.max(earlierCount, expected, 1) * dispersion);
    if (Math.sign(z) === direction && Math.abs(z) > this.tuning.stepThreshold / 2) return recentRate;
    return recentRate > old ? 2 * recentRate - old : recentRate;
  }

  /**
   * A bucket without requests: the estimate is kept (a quiet operation's rate is unknown, not
   * zero), and the counts before and after the gap are not compared.
   */
  pause(): void {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    v[o + PREVIOUS_RATE] = NaN;
    v[o + RATE_BEFORE_PREVIOUS] = NaN;
    v[o + AWAITED] = 0;
    v[o + LAST_RESIDUAL] = 0;
    f[p + RISING] = 0;
    f[p + PAUSED] = Number.isNaN(v[o + ESTIMATE]) ? 0 : 1;
  }

  private jumped(kind: EstimateKind, rising = false): EstimateKind {
    const v = this.table.values;
    const o = this.offset;
    const f = this.table.flags;
    const p = this.flagOffset;
    f[p + PROVISIONAL] = 1;
    f[p + RISING] = rising ? 1 : 0;
    v[o + LAST_RESIDUAL] = 0;
    return kind;
  }

  private learnDispersion(observed: number, seconds: number, maxDispersion: number): void {
    const v = this.table.values;
    const o = this.offset;
    const previous = v[o + PREVIOUS_RATE];
    const beforePrevious = v[o + RATE_BEFORE_PREVIOUS];
    v[o + RATE_BEFORE_PREVIOUS] = previous;
    v[o + PREVIOUS_RATE] = observed;
    let dispersion = v[o + DISPERSION];
    if (!Number.isNaN(beforePrevious)) {
      const difference = (observed - 2 * previous + beforePrevious) * seconds;
      const poisson = ((observed + previous + beforePrevious) / 3) * seconds;
      const measured = difference ** 2 / (SECOND_DIFFERENCE_VARIANCE * Math.max(poisson, 1));
      const learnt = ++v[o + LEARNT];
      const rate = Math.max(DISPERSION_LEARNING, 1 / learnt);
      dispersion += rate * (Math.min(measured, DISPERSION_CLIP * dispersion) - dispersion);
    }
    v[o + DISPERSION] = Math.min(maxDispersion, Math.max(1, dispersion));
  }
}
