import type { Scenario } from './scenario';
import { burstyLoad } from './scenarios/bursts';
import { cardinalityFlood } from './scenarios/cardinality-flood';
import { constantLoad } from './scenarios/constant';
import { diurnalLoad } from './scenarios/diurnal';
import { ERROR_SCENARIOS } from './scenarios/errors';
import { newOperations } from './scenarios/new-operations';
import { serviceBudget } from './scenarios/service-budget';
import { stepDown } from './scenarios/step-down';
import { stepUp } from './scenarios/step-up';

/** The scenarios `samplane simulate all` runs, in the order it reports them. */
export const STANDARD_SCENARIOS: readonly Scenario[] = [
  constantLoad,
  stepUp,
  stepDown,
  diurnalLoad,
  burstyLoad,
  newOperations,
  cardinalityFlood,
  serviceBudget,
  ...ERROR_SCENARIOS,
];

export function findScenario(name: string): Scenario | undefined {
  return STANDARD_SCENARIOS.find((scenario) => scenario.name === name);
}
