/**
 * The synthetic fleet a large-fleet run reports: `services` × `operations`, each operation at a
 * known, constant request rate, so the probability every replica should serve is known too.
 * Rates cycle through `RATES` with the operation index shifted by the service index, so every
 * service has every rate and the engine sees a spread of probabilities, not one value.
 */
export interface FleetShape {
  services: number;
  operations: number;
  /** Every service reports all its operations once per period. */
  reportPeriodSeconds: number;
  /** ADAPTIVE_TARGET_SAMPLES_PER_SECOND the replicas run with. */
  targetSamplesPerSecond: number;
  /**
   * Every service names its operations its own way, as a real fleet's do, so no two services
   * share a name; otherwise all services name theirs alike (`GET /api/v1/resource-000`, …).
   */
  distinctNames?: boolean;
}

/** Requests per second; each times a 5 s period is a whole count. From p = 1 down to 0.0002. */
export const RATES = [0.4, 2, 5, 20, 100, 400, 1000, 5000] as const;

export function serviceName(service: number): string {
  return `fleet-svc-${String(service).padStart(5, '0')}`;
}

/** Operation `operation` of service `service`, named as the shape names it. */
export function operationName(shape: FleetShape, service: number, operation: number): string {
  const resource = `resource-${String(operation).padStart(3, '0')}`;
  return shape.distinctNames ? `GET /api/v1/${serviceName(service)}/${resource}` : `GET /api/v1/${resource}`;
}

export function requestRate(service: number, operation: number): number {
  return RATES[(service + operation) % RATES.length];
}

/** What `samplane` converges to for a constant rate: target ÷ rate, at most 1. */
export function expectedProbability(shape: FleetShape, service: number, operation: number): number {
  return Math.min(1, shape.targetSamplesPerSecond / requestRate(service, operation));
}

/**
 * The `operations` array of a report, as JSON text, for the services whose index is `profile`
 * modulo `RATES.length` (they all report the same counts), named as service `profile` names
 * them. Built once, so the load generator only concatenates bytes per request.
 */
export function operationsFragment(shape: FleetShape, profile: number): string {
  const entries: string[] = [];
  for (let o = 0; o < shape.operations; o++) {
    const count = Math.round(requestRate(profile, o) * shape.reportPeriodSeconds);
    if (!Number.isInteger(requestRate(profile, o) * shape.reportPeriodSeconds)) {
      throw new RangeError(`rate ${requestRate(profile, o)} × ${shape.reportPeriodSeconds} s is not a whole count`);
    }
    const sampled = Math.round(count * expectedProbability(shape, profile, o));
    entries.push(`{"operation":${JSON.stringify(operationName(shape, profile, o))},"count":${count},"sampled":${sampled}}`);
  }
  return `[${entries.join(',')}]`;
}

/**
 * One fragment per profile, or per service where names are distinct; service `s` reports
 * `fragments[s % fragments.length]`.
 */
export function operationsFragments(shape: FleetShape): string[] {
  const count = shape.distinctNames ? shape.services : RATES.length;
  return Array.from({ length: count }, (_, profile) => operationsFragment(shape, profile));
}

export function serviceNames(shape: FleetShape): string[] {
  return Array.from({ length: shape.services }, (_, s) => serviceName(s));
}

export function totalOperations(shape: FleetShape): number {
  return shape.services * shape.operations;
}
