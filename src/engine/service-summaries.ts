import { type TimeSlicer, UNSLICED } from '../common/time-slicer';
import type { Probabilities } from '../sampling/calculator';
import { dictionary, own } from '../sampling/dictionary';
import { type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { TrafficSummary } from '../store/store';
import { type ServiceTraffic, TRAFFIC, trafficColumns } from '../store/traffic-columns';

/**
 * Each service's totals, served with the probabilities: an overview of thousands of services
 * reads these instead of every operation's explanation.
 */
export async function summariesOf(
  probabilities: Probabilities,
  traffic: Record<string, ServiceTraffic>,
  inputs: Record<string, ServiceInputs>,
  slicer: TimeSlicer = UNSLICED,
): Promise<Record<string, TrafficSummary>> {
  const summaries = dictionary<TrafficSummary>();
  const services = new Set([...Object.keys(probabilities), ...Object.keys(traffic)]);
  for (const service of services) {
    const seen = trafficColumns(Object.hasOwn(traffic, service) ? traffic[service] : {});
    const summary: TrafficSummary = { operations: seen.size, requestsPerSecond: 0, sampledPerSecond: 0, errorsPerSecond: 0, boosted: [] };
    for (let row = 0; row < seen.size; row++) {
      const requestsPerSecond = seen.get(TRAFFIC.requestsPerSecond, row);
      const errorsPerSecond = seen.get(TRAFFIC.errorsPerSecond, row);
      summary.requestsPerSecond += requestsPerSecond;
      summary.sampledPerSecond += seen.get(TRAFFIC.sampledPerSecond, row);
      summary.errorsPerSecond += Number.isNaN(errorsPerSecond) ? seen.get(TRAFFIC.errorRate, row) * requestsPerSecond : errorsPerSecond;
    }
    const why = own(inputs, service);
    if (why) summary.boosted = Object.keys(inputColumns(why).boosts).sort();
    summaries[service] = summary;
    if (slicer.due()) await slicer.yield();
  }
  return summaries;
}
