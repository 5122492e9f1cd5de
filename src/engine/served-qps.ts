import type { Probabilities } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
import { type ServiceQps, qpsOf, qpsRecord } from '../sampling/input-columns';
import { SERVICE_RULE_OPERATION } from '../sampling/xray/xray-population';

/**
 * The QPS replicas serve from: a service's whole record where it is saved with more operations
 * than `maxOperations` (replicas keep the busiest; inherited operations without QPS go first),
 * and the X-Ray service rule's (`*`), which splits a rate-limited rule. Every other QPS changes
 * at each calculation and only explains a probability: it stays in the explanations, so a
 * snapshot whose probabilities held is one replicas need not fetch again.
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
      continue;
    }
    const fleet = qpsOf(given, SERVICE_RULE_OPERATION);
    if (fleet !== undefined && !Number.isNaN(fleet)) served[service] = { [SERVICE_RULE_OPERATION]: fleet };
  }
  return served;
}
