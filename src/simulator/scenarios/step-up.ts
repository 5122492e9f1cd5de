import type { Scenario } from '../scenario';
import { constant, step } from '../traffic';

/** The step lands mid-interval, so the first bucket after it shows only half of it. */
const AT = 1230;

export const stepUp: Scenario = {
  name: 'step-up',
  title: '10× step up',
  description: 'one operation jumps from 100 to 1000 requests/s at 20:30, mid-interval',
  operations: [
    { service: 'api', operation: 'GET /items', rate: step(100, 1000, AT) },
    { service: 'api', operation: 'GET /health', rate: constant(50) },
  ],
  tracked: [{ label: 'api GET /items (100 → 1000 req/s)', service: 'api', operation: 'GET /items', steps: [AT] }],
};
