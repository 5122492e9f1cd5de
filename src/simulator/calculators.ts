import { JAEGER_DEFAULTS } from '../sampling/adaptive-options';
import type { AdaptiveCalculator, Probabilities } from '../sampling/calculator';
import { JaegerCalculator } from '../sampling/jaeger/jaeger-calculator';
import { SamplaneCalculator } from '../sampling/samplane/samplane-calculator';
import type { Scenario, SimulatedAlgorithm, SimulationSettings } from './scenario';

/** The real calculator of an algorithm, on the run's settings and the scenario's budgets. */
export function createCalculator(
  algorithm: SimulatedAlgorithm,
  settings: SimulationSettings,
  scenario: Scenario,
): AdaptiveCalculator {
  const options = {
    ...JAEGER_DEFAULTS,
    targetSamplesPerSecond: settings.targetSamplesPerSecond,
    deltaTolerance: settings.deltaTolerance,
    maxOperations: settings.maxOperations,
  };
  const calculator = algorithm === 'jaeger' ? new JaegerCalculator(options) : new SamplaneCalculator(options);
  const budgets = scenario.budgets ?? {};
  calculator.useSettings((service) =>
    Object.hasOwn(budgets, service) ? { budgetTracesPerSecond: budgets[service] } : undefined,
  );
  return calculator;
}

/** service → operation → the probability its error boost asked for; `jaeger` has no boost. */
export function boostedOperations(calculator: AdaptiveCalculator): Probabilities {
  const boosted: Probabilities = {};
  for (const [service, operations] of Object.entries(calculator.lastInputs())) {
    for (const [operation, inputs] of Object.entries(operations)) {
      const boost = inputs.errors?.boost;
      if (boost) (boosted[service] ??= {})[operation] = boost.probability;
    }
  }
  return boosted;
}
