import { runToEnd } from '../common/time-slicer';
import type { Probabilities } from '../sampling/calculator';
import { INPUT, type ServiceInputs, inputColumns } from '../sampling/input-columns';
import type { HistoryBounds, OperationPoint, ServicePoint } from '../store/history-store';
import type { OperationTraffic } from '../store/store';

export interface CalculatedRound {
  at: number;
  probabilities: Probabilities;
  traffic: Record<string, Record<string, OperationTraffic>>;
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
  const ranked: { service: string; requestsPerSecond: number }[] = [];
  for (const [service, traffic] of Object.entries(round.traffic)) {
    let requestsPerSecond = 0;
    for (const t of Object.values(traffic)) requestsPerSecond += t.requestsPerSecond;
    ranked.push({ service, requestsPerSecond });
    if (ranked.length % 100 === 0) yield;
  }
  ranked.sort((x, y) => y.requestsPerSecond - x.requestsPerSecond || (x.service < y.service ? -1 : 1));
  const points = new Map<string, ServicePoint>();
  for (const { service } of ranked.slice(0, bounds.services)) {
    yield;
    points.set(service, servicePoint(round, service, bounds.operations));
  }
  return points;
}

function servicePoint(round: CalculatedRound, service: string, operationsKept: number): ServicePoint {
  const traffic = round.traffic[service];
  const probabilities = round.probabilities[service] ?? {};
  const given = Object.hasOwn(round.inputs, service) ? round.inputs[service] : undefined;
  const operations: OperationPoint[] = [];
  let budget: number | undefined;
  let target = 0;
  let targeted = false;
  for (const [operation, t] of Object.entries(traffic)) {
    const probability = Object.hasOwn(probabilities, operation) ? probabilities[operation] : undefined;
    if (probability === undefined) continue;
    operations.push({
      operation,
      probability,
      requestsPerSecond: t.requestsPerSecond,
      sampledPerSecond: t.sampledPerSecond,
      errorRate: t.errorRate,
    });
  }
  // The targets of the operations listed, read from the columns in their own order.
  const inputs = given ? inputColumns(given) : undefined;
  for (let row = 0; inputs && row < inputs.size; row++) {
    const operation = inputs.ops[row];
    if (!Object.hasOwn(traffic, operation) || !Object.hasOwn(probabilities, operation)) continue;
    const shared = inputs.get(INPUT.budget, row);
    if (budget === undefined && !Number.isNaN(shared)) budget = shared;
    target += inputs.get(INPUT.target, row);
    targeted = true;
  }
  const totals = Object.values(traffic);
  return {
    at: round.at,
    requestsPerSecond: totals.reduce((sum, t) => sum + t.requestsPerSecond, 0),
    sampledPerSecond: totals.reduce((sum, t) => sum + t.sampledPerSecond, 0),
    expectedSampledPerSecond: operations.reduce((sum, o) => sum + o.probability * o.requestsPerSecond, 0),
    ...(budget !== undefined && { budgetTracesPerSecond: budget }),
    ...(targeted && { targetSamplesPerSecond: budget ?? target }),
    operations: operations
      .sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || (a.operation < b.operation ? -1 : 1))
      .slice(0, operationsKept),
  };
}
