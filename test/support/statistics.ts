/**
 * Bounds for counting sampling decisions. A sampler deciding `n` times at probability `p`
 * samples Binomial(n, p) times; five standard deviations make a false alarm rarer than one in a
 * million runs while a wrong rate (0.2 served as 0.25, say) still fails by a wide margin.
 */
export function binomialBounds(n: number, p: number, sigmas = 5): { low: number; high: number } {
  const mean = n * p;
  const spread = sigmas * Math.sqrt(n * p * (1 - p));
  return { low: Math.max(0, Math.floor(mean - spread)), high: Math.min(n, Math.ceil(mean + spread)) };
}

/** Jest matcher-style check with a message that shows the numbers. */
export function expectBinomial(sampled: number, n: number, p: number, what: string): void {
  const { low, high } = binomialBounds(n, p);
  if (sampled < low || sampled > high) {
    throw new Error(
      `${what}: sampled ${sampled} of ${n} (${(sampled / n).toFixed(4)}), ` +
        `expected ${low}..${high} for probability ${p}`,
    );
  }
}

/**
 * A small seeded generator (mulberry32), so that the trace IDs a test feeds a sampler, and so
 * its exact counts, are the same on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid W3C trace ID (32 lowercase hex digits, not all zero) drawn from `random`. */
export function randomTraceId(random: () => number): string {
  let id = '';
  for (let i = 0; i < 4; i++) id += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  return /^0+$/.test(id) ? randomTraceId(random) : id;
}
