/**
 * A seeded random source (mulberry32) with the draws the simulator needs. Seeded, so that a
 * run is reproducible and two algorithms can be fed the very same requests.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Requests in an interval whose expected count is `mean`. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    return mean < SMALL_POISSON_MEAN ? this.poissonByProducts(mean) : this.poissonPtrs(mean);
  }

  /** How many of `n` requests a sampler at `p` keeps. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    const mean = n * p;
    if (mean < SMALL_BINOMIAL_MEAN) return this.binomialByGaps(n, p);
    // With a mean of 15 or more the normal approximation errs far below the sampling noise
    // the simulator's metrics look at, and costs one draw whatever n is.
    const draw = Math.round(mean + Math.sqrt(mean * (1 - p)) * this.normal());
    return Math.min(n, Math.max(0, draw));
  }

  private poissonByProducts(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = this.next();
    while (product > limit) {
      k++;
      product *= this.next();
    }
    return k;
  }

  /** Hörmann's transformed rejection with squeeze (PTRS): exact, constant expected cost. */
  private poissonPtrs(mean: number): number {
    const root = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * root;
    const a = -0.059 + 0.02483 * b;
    const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const accept = Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b);
      if (accept <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }

  /** Counts successes by jumping geometric gaps between them: cost grows with n·p, not n. */
  private binomialByGaps(n: number, p: number): number {
    const logQ = Math.log1p(-p);
    let successes = 0;
    let position = 0;
    for (;;) {
      position += Math.floor(Math.log(1 - this.next()) / logQ) + 1;
      if (position > n) return successes;
      successes++;
    }
  }
}

const SMALL_POISSON_MEAN = 30;
const SMALL_BINOMIAL_MEAN = 15;

const LOG_FACTORIALS: number[] = [0];
for (let k = 1; k < 64; k++) LOG_FACTORIALS.push(LOG_FACTORIALS[k - 1] + Math.log(k));

/** ln(k!): a table below 64, Stirling's series above (accurate to ~1e-12 there). */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIALS.length) return LOG_FACTORIALS[k];
  const x = k + 1;
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}
