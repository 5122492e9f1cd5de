import type { Scenario, ScenarioOperation } from '../scenario';
import { constant } from '../traffic';

const FLOOD_FROM = 900;
const NEW_NAMES_PER_SECOND = 2;
const NAME_LIFETIME = 300;
const NAME_RATE = 0.05;

/** IDs leaking into span names: two new names a second, each living five minutes. */
function flood(duration: number): ScenarioOperation[] {
  const names: ScenarioOperation[] = [];
  for (let t = FLOOD_FROM; t < duration; t++) {
    for (let i = 0; i < NEW_NAMES_PER_SECOND; i++) {
      names.push({
        service: 'users',
        operation: `GET /users/${t * NEW_NAMES_PER_SECOND + i}`,
        rate: constant(NAME_RATE),
        from: t,
        until: t + NAME_LIFETIME,
      });
    }
  }
  return names;
}

export const cardinalityFlood: Scenario = {
  name: 'cardinality-flood',
  title: 'Cardinality flood',
  description: 'from 15:00, user IDs leak into span names: two new names a second, ~600 live at once; cap 200',
  settings: { maxOperations: 200, instances: 2 },
  operations: [
    { service: 'users', operation: 'GET /users', rate: constant(50) },
    { service: 'users', operation: 'POST /users', rate: constant(5) },
    ...flood(3600),
  ],
  tracked: [
    { label: 'users GET /users (50 req/s)', service: 'users', operation: 'GET /users' },
    { label: 'users, all operations', service: 'users' },
  ],
};
