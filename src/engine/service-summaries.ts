import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { Probabilities } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
import { type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { OperationTraffic, TrafficSummary } from '../store/store';

/**
 * Each service's totals, served with the probabilities: an overview of thousands of services
 * reads these instead of every operation's explanation.
 */
export async function summariesOf(
  probabilities: Probabilities,
  traffic: Record<string, Record<string, OperationTraffic>>,
  inputs: Record<string, ServiceInputs>,
  slicer: TimeSlicer = UNSLICED,
): Promise<Record<string, TrafficSummary>> {
  const summaries = dictionary<TrafficSummary>();
  const services = new Set([...Object.keys(probabilities), ...Object.keys(traffic)]);
  for (const service of services) {
    const seen = Object.hasOwn(traffic, service) ? traffic[service] : {};
    const summary: TrafficSummary = { operations: 0, requestsPerSecond: 0, sampledPerSecond: 0, errorsPerSecond: 0, boosted: [] };
    for (const t of Object.values(seen)) {
      summary.requestsPerSecond += t.requestsPerSecond;
      summary.sampledPerSecond += t.sampledPerSecond;
      summary.errorsPerSecond += t.errorsPerSecond ?? t.errorRate * t.requestsPerSecond;
    }
    summary.operations = Object.keys(seen).length;
    const why = Object.hasOwn(inputs, service) ? inputs[service] : undefined;
    if (why) summary.boosted = Object.keys(inputColumns(why).boosts).sort();
    summaries[service] = summary;
    if (slicer.due()) await slicer.yield();
  }
  return summaries;
}
