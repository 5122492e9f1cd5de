import type { Scenario } from '../scenario';
import { constant, step } from '../traffic';

/** The step lands mid-interval, so the first bucket after it shows only half of it. */
const AT = 1230;

export const stepDown: Scenario = {
  name: 'step-down',
  title: '10× step down',
  description: 'one operation drops from 1000 to 100 requests/s at 20:30, mid-interval',
  operations: [
    { service: 'api', operation: 'GET /items', rate: step(1000, 100, AT) },
    { service: 'api', operation: 'GET /health', rate: constant(50) },
  ],
  tracked: [{ label: 'api GET /items (1000 → 100 req/s)', service: 'api', operation: 'GET /items', steps: [AT] }],
};
