import type { Scenario } from '../scenario';
import { diurnal } from '../traffic';

/** A day squeezed into the hour: a smooth 10× swing, trough at the start and the end. */
export const diurnalLoad: Scenario = {
  name: 'diurnal',
  title: 'Diurnal swing',
  description: 'a day squeezed into the hour: 60 → 600 → 60 requests/s, smoothly',
  operations: [{ service: 'web', operation: 'GET /', rate: diurnal(60, 600, 3600) }],
  tracked: [{ label: 'web GET / (60 ↔ 600 req/s)', service: 'web', operation: 'GET /' }],
};
