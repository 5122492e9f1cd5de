import { dictionary } from '../sampling/dictionary';
import { InputColumns, type ServiceQps, qpsOf, qpsRecord } from '../sampling/input-columns';
import { SERVICE_RULE_OPERATION } from '../sampling/xray/xray-population';

/**
 * The QPS replicas serve from: a service's whole record where it has more operations than
 * `maxOperations` (its QPS picks the operations kept), and the rate of the X-Ray service rule's
 * fleet (`*`), which a rate-limited rule is split by. Every other QPS changes at each
 * calculation and only explains a probability: it stays in the explanations, so a snapshot
 * whose probabilities held is one replicas need not fetch again.
 */
export function servedQps(qps: Record<string, ServiceQps>, maxOperations: number): Record<string, Record<string, number>> {
  const served = dictionary<Record<string, number>>();
  for (const service in qps) {
    const given = qps[service];
    const operations = given instanceof InputColumns ? given.ops.length : Object.keys(given).length;
    if (operations > maxOperations) {
      served[service] = qpsRecord(given);
      continue;
    }
    const fleet = qpsOf(given, SERVICE_RULE_OPERATION);
    if (fleet !== undefined && !Number.isNaN(fleet)) served[service] = { [SERVICE_RULE_OPERATION]: fleet };
  }
  return served;
}

