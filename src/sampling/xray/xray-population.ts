/**
 * The instances reporting against one X-Ray rule, seen as one fleet: Samplane computes its rate
 * as it does an operation's, and splits the result among the instances (see `reservoir-split`).
 *
 * - `fixed`: a pinned rate (a probabilistic policy, a pinned operation, a file entry): served as
 *   the rule's FixedRate with no reservoir, so every instance samples exactly that share.
 * - `adaptive`: `rate` is the probability Samplane serves the (service, operation) the rule
 *   counts as, computed from the fleet's reported requests like any other operation's.
 * - `ratelimiting`: `maxTracesPerSecond` for the whole fleet.
 */
export type PopulationMode = 'fixed' | 'adaptive' | 'ratelimiting';

export interface XRayPopulation {
  ruleName: string;
  /** Where its statistics are counted, and whose computed rate it gets. */
  service: string;
  operation: string;
  mode: PopulationMode;
  /** fixed: the pinned rate; adaptive: the served probability; ratelimiting: unused (0). */
  rate: number;
  /** ratelimiting: traces per second for the whole fleet. */
  maxTracesPerSecond?: number;
  /** The fleet's requests per second from the last calculation, when known. */
  fleetRequestsPerSecond?: number;
}

/** The service name Samplane counts the `Default` rule's fleet under: the default policy's. */
export const DEFAULT_RULE_SERVICE = '*';
/** The operation a service rule's fleet is counted as: every request no narrower rule took. */
export const SERVICE_RULE_OPERATION = '*';
export const DEFAULT_RULE_NAME = 'Default';
