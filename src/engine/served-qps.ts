import type { Probabilities } from '../sampling/calculator';
import { dictionary, own } from '../sampling/dictionary';
import { INPUT, type ServiceInputs, type ServiceQps, inputColumns, qpsRecord } from '../sampling/input-columns';
import { SERVICE_RULE_OPERATION } from '../sampling/xray/xray-population';
import { TRAFFIC, type TrafficColumns } from '../store/traffic-columns';

/**
 * The QPS replicas serve from: a service's whole record where it is saved with more operations
 * than `maxOperations` (replicas keep the busiest; inherited operations without QPS go first).
 * Every other QPS changes at each calculation and only explains a probability: it stays in the
 * explanations, so a snapshot whose probabilities held is one replicas need not fetch again.
 */
export function servedQps(
  qps: Record<string, ServiceQps>,
  probabilities: Probabilities,
  maxOperations: number,
): Record<string, Record<string, number>> {
  const served = dictionary<Record<string, number>>();
  for (const service in qps) {
    const given = qps[service];
    // Counted as saved: a new term adds inherited operations beside those it computed.
    const saved = own(probabilities, service);
    if (saved !== undefined && Object.keys(saved).length > maxOperations) {
      served[service] = qpsRecord(given);
    }
  }
  return served;
}

/**
 * Requests per second of each X-Ray service rule's fleet (its `*` operation), which splits a
 * rate-limited rule among the instances: `samplane`'s estimate where it holds one (also while
 * the fleet's reports missed the interval), else the interval's count. (The QPS is sampled
 * traces per second: far fewer than the fleet's requests wherever the rate is below 1.)
 */
export function fleetRequests(traffic: Record<string, TrafficColumns>, inputs: Record<string, ServiceInputs>): Record<string, number> {
  const fleets = dictionary<number>();
  for (const service in inputs) {
    const estimated = fleetValue(inputColumns(inputs[service]), INPUT.requestRate);
    if (Number.isFinite(estimated)) fleets[service] = estimated;
  }
  for (const service in traffic) {
    if (Object.hasOwn(fleets, service)) continue;
    const counted = fleetValue(traffic[service], TRAFFIC.requestsPerSecond);
    if (Number.isFinite(counted)) fleets[service] = counted;
  }
  return fleets;
}

/** `column` of the `*` operation's row; NaN without one. A scan: one lookup needs no index. */
function fleetValue(columns: { ops: readonly string[]; get(column: number, row: number): number }, column: number): number {
  const row = columns.ops.indexOf(SERVICE_RULE_OPERATION);
  return row < 0 ? Number.NaN : columns.get(column, row);
}
