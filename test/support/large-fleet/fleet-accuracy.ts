import { type FleetShape, expectedProbability, operationName, serviceName } from './fleet-shape';

/** How far a served probability may be from target ÷ rate and still count as right. */
export const ACCURACY_TOLERANCE = 0.3;

interface StrategyJson {
  operationSampling?: {
    defaultSamplingProbability: number;
    perOperationStrategies: Array<{ operation: string; probabilisticSampling: { samplingRate: number } }>;
  };
  probabilisticSampling?: { samplingRate: number };
}

export interface Accuracy {
  /** Operations checked: every operation of each sampled service. */
  checked: number;
  /** Served within ACCURACY_TOLERANCE of target ÷ rate. */
  within: number;
  /** Operations the answer did not list (served the default). */
  missing: number;
  /** A few of the wrong ones, for a report. */
  examples: string[];
}

/** Evenly spaced service indices, at most `count` of them. */
export function sampledServices(shape: FleetShape, count: number): number[] {
  const step = Math.max(1, Math.floor(shape.services / count));
  const picked: number[] = [];
  for (let s = 0; s < shape.services && picked.length < count; s += step) picked.push(s);
  return picked;
}

/**
 * What `url` serves the sampled services, compared operation by operation with what the
 * fleet's constant rates call for.
 */
export async function servedAccuracy(url: string, shape: FleetShape, services: number[]): Promise<Accuracy> {
  const result: Accuracy = { checked: 0, within: 0, missing: 0, examples: [] };
  for (const s of services) {
    const response = await fetch(`${url}/sampling?service=${encodeURIComponent(serviceName(s))}`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`poll of ${serviceName(s)} answered ${response.status}`);
    const strategy = (await response.json()) as StrategyJson;
    const listed = new Map<string, number>();
    for (const entry of strategy.operationSampling?.perOperationStrategies ?? []) {
      listed.set(entry.operation, entry.probabilisticSampling.samplingRate);
    }
    const fallback = strategy.operationSampling?.defaultSamplingProbability ?? strategy.probabilisticSampling?.samplingRate ?? NaN;
    for (let o = 0; o < shape.operations; o++) {
      const expected = expectedProbability(shape, s, o);
      const name = operationName(shape, s, o);
      const served = listed.get(name);
      if (served === undefined) result.missing++;
      const actual = served ?? fallback;
      result.checked++;
      if (Math.abs(actual - expected) <= ACCURACY_TOLERANCE * expected) result.within++;
      else if (result.examples.length < 5) {
        result.examples.push(`${serviceName(s)} ${name}: served ${actual}${served === undefined ? ' (default)' : ''}, expected ${expected}`);
      }
    }
  }
  return result;
}
