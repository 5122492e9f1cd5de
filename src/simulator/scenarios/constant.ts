import type { Scenario } from '../scenario';
import { constant } from '../traffic';

/** Three operations at constant rates four orders of magnitude apart: nothing should move. */
export const constantLoad: Scenario = {
  name: 'constant',
  title: 'Constant load',
  description: 'three operations at 20, 200 and 5000 requests/s for an hour',
  operations: [
    { service: 'shop', operation: 'GET /search', rate: constant(5000) },
    { service: 'shop', operation: 'POST /order', rate: constant(200) },
    { service: 'shop', operation: 'GET /cart', rate: constant(20) },
  ],
  tracked: [
    { label: 'shop GET /search (5000 req/s)', service: 'shop', operation: 'GET /search' },
    { label: 'shop POST /order (200 req/s)', service: 'shop', operation: 'POST /order' },
    { label: 'shop GET /cart (20 req/s)', service: 'shop', operation: 'GET /cart' },
  ],
};
