import type { XRayPopulation } from './xray-population';

/** What one instance is told for one rule. */
export interface InstanceTarget {
  FixedRate: number;
  /** Traces per second the instance samples first, whatever FixedRate says. */
  ReservoirQuota: number;
}

/**
 * How a rule's traces per second are split among the instances reporting it. X-Ray does not
 * publish its own split; this one gives every instance the share of the fleet's sampled traces
 * that its share of the fleet's requests calls for, and asks no instance to know the others:
 *
 * - An instance seeing `r` requests/s under a rule whose fleet is sampled at probability `p`
 *   should yield `t = p·r` traces/s. Its reservoir quota is the whole part of `t`, taken first
 *   every second (X-Ray's quotas are whole traces per second); FixedRate carries the rest over
 *   the requests the reservoir leaves, `(t − quota) / (r − quota)`. Expected traces: `t`.
 *   Summed over instances: `p·R`, which the engine steers to the rule's target as it does for
 *   an operation, so the fleet converges whatever the number of instances.
 * - A rate-limited rule (`M` traces/s for the fleet) is the same with `p = M / R`, `R` the
 *   fleet's requests/s from the last calculation; while `R` is unknown each instance gets the
 *   whole quota, which over-samples at most until the first calculation.
 * - A pinned rate is served as FixedRate with no reservoir, so it is exact on every instance.
 * - An instance that borrows while it holds a quota does not see its quota (see `ignoresQuota`):
 *   it gets no quota, and FixedRate carries its share minus what it borrows, `(t − b) / (r − b)`.
 */
export function splitReservoir(
  population: XRayPopulation,
  instanceRequestsPerSecond: number,
  borrowedPerSecond?: number,
): InstanceTarget {
  const r = Math.max(0, instanceRequestsPerSecond);
  switch (population.mode) {
    case 'fixed':
      return { FixedRate: population.rate, ReservoirQuota: 0 };
    case 'adaptive':
      return share(population.rate, r, borrowedPerSecond);
    case 'ratelimiting': {
      const max = population.maxTracesPerSecond ?? 0;
      const fleet = population.fleetRequestsPerSecond;
      if (!fleet || fleet <= 0) {
        return { FixedRate: 0, ReservoirQuota: borrowedPerSecond === undefined ? Math.floor(max) : 0 };
      }
      return share(Math.min(1, max / fleet), r, borrowedPerSecond);
    }
  }
}

/**
 * Whether an instance given a quota last time is not using it: X-Ray clients borrow only while
 * they hold no fresh quota (OpenTelemetry's sampler stops borrowing for good at its first
 * target), so borrowing after being handed one means the client let it lapse at once —
 * aws-xray-sdk-core reads `ReservoirQuotaTTL` as milliseconds, which puts every quota in 1970.
 */
export function ignoresQuota(previousQuota: number, borrowCount: number): boolean {
  return previousQuota > 0 && borrowCount > 0;
}

function share(p: number, r: number, borrowed: number | undefined): InstanceTarget {
  if (borrowed !== undefined) {
    const b = Math.min(r, Math.max(0, borrowed));
    const rest = r - b;
    const fixedRate = rest > 0 ? Math.min(1, Math.max(0, (p * r - b) / rest)) : p;
    return { FixedRate: fixedRate, ReservoirQuota: 0 };
  }
  const traces = p * r;
  const quota = Math.floor(traces);
  // An idle instance keeps the fleet's rate for the requests it will see next.
  if (r === 0) return { FixedRate: p, ReservoirQuota: 0 };
  const rest = r - quota;
  const fixedRate = rest > 0 ? Math.min(1, Math.max(0, (traces - quota) / rest)) : 0;
  return { FixedRate: fixedRate, ReservoirQuota: quota };
}
