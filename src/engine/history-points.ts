import { runToEnd } from '../common/time-slicer';
import type { Probabilities } from '../sampling/calculator';
import { INPUT, type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { HistoryBounds, OperationPoint, ServicePoint } from '../store/history-store';
import { type ServiceTraffic, TRAFFIC, type TrafficColumns, trafficColumns } from '../store/traffic-columns';
import { own } from '../sampling/dictionary';

export interface CalculatedRound {
  at: number;
  probabilities: Probabilities;
  traffic: Record<string, ServiceTraffic>;
  inputs: Record<string, ServiceInputs>;
}

/**
 * One point per service of a calculation: totals over all its operations, the busiest
 * operations in detail, and only the busiest services, so a round costs the store a bounded
 * write however large the fleet.
 */
export function historyPoints(round: CalculatedRound, bounds: Pick<HistoryBounds, 'operations' | 'services'>): Map<string, ServicePoint> {
  return runToEnd(historyPointSteps(round, bounds));
}

/**
 * The same, a few services per step, for a caller that paces a large round with a
 * `TimeSlicer`. Services are ranked by their totals first and only the kept ones are detailed:
 * at 10,000 services, detailing every one cost seconds for points thrown away.
 */
export function* historyPointSteps(
  round: CalculatedRound,
  bounds: Pick<HistoryBounds, 'operations' | 'services'>,
): Generator<void, Map<string, ServicePoint>> {
  const ranked: { service: string; traffic: TrafficColumns; requestsPerSecond: number }[] = [];
  for (const [service, given] of Object.entries(round.traffic)) {
    const traffic = trafficColumns(given);
    ranked.push({ service, traffic, requestsPerSecond: traffic.total(TRAFFIC.requestsPerSecond) });
    if (ranked.length % 100 === 0) yield;
  }
  ranked.sort((x, y) => y.requestsPerSecond - x.requestsPerSecond || (x.service < y.service ? -1 : 1));
  const points = new Map<string, ServicePoint>();
  for (const { service, traffic } of ranked.slice(0, bounds.services)) {
    yield;
    points.set(service, servicePoint(round, service, traffic, bounds.operations));
  }
  return points;
}

function servicePoint(round: CalculatedRound, service: string, traffic: TrafficColumns, operationsKept: number): ServicePoint {
  const probabilities = round.probabilities[service] ?? {};
  const given = own(round.inputs, service);
  const operations: OperationPoint[] = [];
  let budget: number | undefined;
  let target = 0;
  let targeted = false;
  for (let row = 0; row < traffic.size; row++) {
    const operation = traffic.ops[row];
    const probability = own(probabilities, operation);
    if (probability === undefined) continue;
    operations.push({
      operation,
      probability,
      requestsPerSecond: traffic.get(TRAFFIC.requestsPerSecond, row),
      sampledPerSecond: traffic.get(TRAFFIC.sampledPerSecond, row),
      errorRate: traffic.get(TRAFFIC.errorRate, row),
    });
  }
  // The targets of the operations listed, read from the columns in their own order.
  const inputs = given ? inputColumns(given) : undefined;
  for (let row = 0; inputs && row < inputs.size; row++) {
    const operation = inputs.ops[row];
    if (traffic.rowOf(operation) === undefined || !Object.hasOwn(probabilities, operation)) continue;
    const shared = inputs.get(INPUT.budget, row);
    if (budget === undefined && !Number.isNaN(shared)) budget = shared;
    target += inputs.get(INPUT.target, row);
    targeted = true;
  }
  return {
    at: round.at,
    requestsPerSecond: traffic.total(TRAFFIC.requestsPerSecond),
    sampledPerSecond: traffic.total(TRAFFIC.sampledPerSecond),
    expectedSampledPerSecond: operations.reduce((sum, o) => sum + o.probability * o.requestsPerSecond, 0),
    ...(budget !== undefined && { budgetTracesPerSecond: budget }),
    ...(targeted && { targetSamplesPerSecond: budget ?? target }),
    operations: operations
      .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || (a.operation < b.operation ? -1 : 1))
      .slice(0, operationsKept),
  };
}
