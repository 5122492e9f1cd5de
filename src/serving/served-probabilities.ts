import type { Probabilities } from '../sampling/calculator';
import { dictionary } from '../sampling/dictionary';
import type { ProbabilitiesSnapshot } from '../store/store';
import type { ServingSnapshot } from './serving-snapshot';

/**
 * The last computed probabilities this replica holds (what it serves, before policies), else
 * the adaptive probabilities it serves, as service → operation → probability.
 */
export function servedProbabilities(computed: ProbabilitiesSnapshot | null, snapshot: ServingSnapshot): Probabilities {
  const probabilities = computed?.probabilities;
  if (probabilities && Object.keys(probabilities).length > 0) return probabilities;
  const served = dictionary<Record<string, number>>();
  for (const [service, entry] of snapshot.services()) {
    const operations = entry.strategy.operationSampling?.perOperationStrategies ?? [];
    if (entry.source !== 'adaptive' || operations.length === 0) continue;
    const rates = dictionary<number>();
    for (const op of operations) rates[op.operation] = op.probabilisticSampling.samplingRate;
    served[service] = rates;
  }
  return served;
}
