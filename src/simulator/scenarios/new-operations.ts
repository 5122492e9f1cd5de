import type { Scenario } from '../scenario';
import { constant } from '../traffic';

const AT = 1230;

/** Operations appearing mid-run start from the default probability, far from their target. */
export const newOperations: Scenario = {
  name: 'new-operations',
  title: 'New operations appearing',
  description: 'at 20:30 three operations appear at 10, 1000 and 20000 requests/s',
  operations: [
    { service: 'catalog', operation: 'GET /products', rate: constant(200) },
    { service: 'catalog', operation: 'GET /reviews', rate: constant(10), from: AT },
    { service: 'catalog', operation: 'GET /prices', rate: constant(1000), from: AT },
    { service: 'catalog', operation: 'GET /images', rate: constant(20000), from: AT },
  ],
  tracked: [
    { label: 'catalog GET /reviews (new, 10 req/s)', service: 'catalog', operation: 'GET /reviews', steps: [AT] },
    { label: 'catalog GET /images (new, 20000 req/s)', service: 'catalog', operation: 'GET /images', steps: [AT] },
    { label: 'catalog GET /products (200 req/s)', service: 'catalog', operation: 'GET /products' },
  ],
};
