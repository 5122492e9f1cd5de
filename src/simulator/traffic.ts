/**
 * Requests per second at second `t` of a run (whole seconds from the start). A constant curve
 * says so, which lets the simulator handle thousands of operations without reading each second.
 */
export type RateCurve = ((t: number) => number) & { readonly constantRate?: number };

export function constant(rate: number): RateCurve {
  return Object.assign(() => rate, { constantRate: rate });
}

/** `before` until `at`, `after` from then on. */
export function step(before: number, after: number, at: number): RateCurve {
  return (t) => (t < at ? before : after);
}

/**
 * A day squeezed into `periodSeconds`: geometric swing between `trough` and `peak`, starting
 * at the trough, as real traffic swings by a factor rather than by an amount.
 */
export function diurnal(trough: number, peak: number, periodSeconds: number): RateCurve {
  const middle = Math.sqrt(trough * peak);
  const halfSwing = Math.log(peak / trough) / 2;
  return (t) => middle * Math.exp(-halfSwing * Math.cos((2 * Math.PI * t) / periodSeconds));
}

/** `base`, and `burst` during each [from, until). */
export function bursts(base: number, burst: number, periods: readonly (readonly [number, number])[]): RateCurve {
  return (t) => (periods.some(([from, until]) => t >= from && t < until) ? burst : base);
}
