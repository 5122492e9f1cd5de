/**
 * Jaeger's recency weights for a weighted QPS: for L values, `L⁴, (L−1)⁴, …, 1` normalised to
 * sum to 1, newest first, so the latest bucket dominates (L = 3 gives it 81/98).
 */
export class WeightVectorCache {
  private readonly cache = new Map<number, readonly number[]>();

  get(length: number): readonly number[] {
    const cached = this.cache.get(length);
    if (cached) return cached;
    // Summed in the same order as Jaeger so the floating-point results match to the last bit.
    const weights: number[] = [];
    let sum = 0;
    for (let i = length; i > 0; i--) {
      const w = i ** 4;
      weights.push(w);
      sum += w;
    }
    const normalised = weights.map((w) => w / sum);
    this.cache.set(length, normalised);
    return normalised;
  }
}
