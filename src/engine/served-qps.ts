import type { Probabilities } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
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
    const saved = Object.hasOwn(probabilities, service) ? probabilities[service] : undefined;
    if (saved !== undefined && Object.keys(saved).length > maxOperations) {
      served[service] = qpsRecord(given);
    }
  }
  return served;
}

/**
 * Requests per second of each X-Ray service rule's fleet (its `*` operation), which splits a
 * rate-limited rule among the instances: `samplane`'s estimate where it made one, else the
 * interval's count. (The QPS is sampled traces per second: far fewer than the fleet's requests
 * wherever the rate is below 1.)
 */
export function fleetRequests(traffic: Record<string, TrafficColumns>, inputs: Record<string, ServiceInputs>): Record<string, number> {
  const fleets = dictionary<number>();
  for (const service in traffic) {
    const seen = traffic[service];
    const row = seen.ops.indexOf(SERVICE_RULE_OPERATION);
    if (row < 0) continue;
    const why = Object.hasOwn(inputs, service) ? inputColumns(inputs[service]) : undefined;
    const estimatedRow = why ? why.ops.indexOf(SERVICE_RULE_OPERATION) : -1;
    const estimated = why && estimatedRow >= 0 ? why.get(INPUT.requestRate, estimatedRow) : Number.NaN;
    const counted = seen.get(TRAFFIC.requestsPerSecond, row);
    const fleet = Number.isFinite(estimated) ? estimated : counted;
    if (Number.isFinite(fleet)) fleets[service] = fleet;
  }
  return fleets;
}
