import type { Scenario } from '../../../src/simulator/scenario';
import { constant } from '../../../src/simulator/traffic';

/**
 * One instance polling every 60 s at second 30 of each minute, 100 requests/s, ten minutes:
 * small enough to follow every calculation and poll by hand.
 */
export const lagScenario: Scenario = {
  name: 'lag',
  title: 'Serving lag & <escaping>',
  description: 'one instance, 100 requests/s',
  settings: { instances: 1, durationSeconds: 600, warmupSeconds: 0 },
  operations: [{ service: 'S', operation: 'op', rate: constant(100) }],
  tracked: [{ label: 'S op', service: 'S', operation: 'op' }],
};
