import type { Scenario } from '../scenario';
import { constant } from '../traffic';

const AT = 1830;

/**
 * A budget of 10 sampled traces/s for a whole service, shared by three operations of very
 * different rates, then by six when three more appear at 30:30.
 */
export const serviceBudget: Scenario = {
  name: 'service-budget',
  title: 'Service budget',
  description: 'checkout has a budget of 10 traces/s; 0.5, 50 and 5000 requests/s, then +2, 200, 2000 at 30:30',
  budgets: { checkout: 10 },
  operations: [
    { service: 'checkout', operation: 'GET /status', rate: constant(0.5) },
    { service: 'checkout', operation: 'POST /pay', rate: constant(50) },
    { service: 'checkout', operation: 'GET /basket', rate: constant(5000) },
    { service: 'checkout', operation: 'POST /refund', rate: constant(2), from: AT },
    { service: 'checkout', operation: 'POST /coupon', rate: constant(200), from: AT },
    { service: 'checkout', operation: 'GET /shipping', rate: constant(2000), from: AT },
  ],
  tracked: [
    { label: 'checkout, all operations (budget 10/s)', service: 'checkout', steps: [AT] },
  ],
};
