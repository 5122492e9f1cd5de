import type { Scenario, SimulationSettings } from '../scenario';
import type { RateCurve } from '../traffic';
import { bursts, constant } from '../traffic';

/**
 * The error scenarios run as the error boost is meant to be tried: exact reports, a 2 s
 * calculation interval with a 1 s delay, clients polling every 2 s, so that what is judged is
 * the boost rather than the serving lag. The boost runs on its defaults: 1 errored trace/s,
 * probability at most 0.1, a 5-minute cooldown.
 */
const FAST: Partial<SimulationSettings> = {
  durationSeconds: 1800,
  calculationIntervalSeconds: 2,
  pollIntervalSeconds: 2,
  delaySeconds: 1,
  warmupSeconds: 120,
};

const INCIDENT = [600, 900] as const;

/** `low`, and `high` during each [from, until): an error rate that rises and falls back. */
const incident = (low: number, high: number, ...periods: (readonly [number, number])[]): RateCurve =>
  bursts(low, high, periods);

export const errorIncident: Scenario = {
  name: 'error-incident',
  title: 'An error incident',
  description: 'GET /orders at 500 requests/s: errors rise from 1 % to 20 % from 10:00 to 15:00, then fall back',
  settings: FAST,
  operations: [
    { service: 'orders', operation: 'GET /orders', rate: constant(500), errorRate: incident(0.01, 0.2, INCIDENT) },
    { service: 'orders', operation: 'GET /health', rate: constant(50), errorRate: constant(0.001) },
  ],
  tracked: [{ label: 'orders GET /orders (500 req/s, 1 % → 20 % errors)', service: 'orders', operation: 'GET /orders', incidents: [INCIDENT] }],
};

const FLAPPING = [600, 780] as const;

export const errorFlapping: Scenario = {
  name: 'error-flapping',
  title: 'Flapping errors',
  description: 'GET /stock at 500 requests/s: errors flap between 1 % and 15 % every 10 s for three minutes from 10:00',
  settings: FAST,
  operations: [
    {
      service: 'stock',
      operation: 'GET /stock',
      rate: constant(500),
      errorRate: (t) => (t >= FLAPPING[0] && t < FLAPPING[1] && Math.floor((t - FLAPPING[0]) / 10) % 2 === 0 ? 0.15 : 0.01),
    },
  ],
  tracked: [{ label: 'stock GET /stock (500 req/s, errors flapping 1 % ↔ 15 %)', service: 'stock', operation: 'GET /stock', incidents: [FLAPPING] }],
};

const FAILING_FROM = 600;
const PERMANENT_DURATION = 3600;

export const errorPermanent: Scenario = {
  name: 'error-permanent',
  title: 'An operation that fails for good',
  description: 'GET /legacy at 500 requests/s: errors rise from 1 % to 20 % at 10:00 and stay there',
  settings: { ...FAST, durationSeconds: PERMANENT_DURATION },
  operations: [
    { service: 'legacy', operation: 'GET /legacy', rate: constant(500), errorRate: (t) => (t < FAILING_FROM ? 0.01 : 0.2) },
  ],
  tracked: [
    {
      label: 'legacy GET /legacy (500 req/s, 1 % → 20 % errors for good)',
      service: 'legacy',
      operation: 'GET /legacy',
      incidents: [[FAILING_FROM, PERMANENT_DURATION]],
    },
  ],
};

export const errorBudget: Scenario = {
  name: 'error-budget',
  title: 'An error incident inside a budgeted service',
  description: 'checkout has a budget of 4 traces/s over 500, 500 and 200 requests/s; POST /pay fails at 20 % from 10:00 to 15:00',
  settings: FAST,
  budgets: { checkout: 4 },
  operations: [
    { service: 'checkout', operation: 'POST /pay', rate: constant(500), errorRate: incident(0.01, 0.2, INCIDENT) },
    { service: 'checkout', operation: 'GET /basket', rate: constant(500), errorRate: constant(0.01) },
    { service: 'checkout', operation: 'GET /status', rate: constant(200), errorRate: constant(0.01) },
  ],
  tracked: [
    { label: 'checkout POST /pay (500 req/s, 1 % → 20 % errors)', service: 'checkout', operation: 'POST /pay', incidents: [INCIDENT] },
    { label: 'checkout, all operations (budget 4/s)', service: 'checkout' },
  ],
};

const EXPORT_FROM = 600;
const EXPORT_INCIDENT = [1200, 1500] as const;

export const errorNewOperation: Scenario = {
  name: 'error-new-operation',
  title: 'A new operation with errors',
  description: 'POST /export appears at 10:00 at 200 requests/s failing at 10 % (its normal); 40 % from 20:00 to 25:00',
  settings: { ...FAST, durationSeconds: 2400 },
  operations: [
    { service: 'search', operation: 'GET /search', rate: constant(500), errorRate: constant(0.01) },
    {
      service: 'search',
      operation: 'POST /export',
      rate: constant(200),
      errorRate: incident(0.1, 0.4, EXPORT_INCIDENT),
      from: EXPORT_FROM,
    },
  ],
  tracked: [
    {
      label: 'search POST /export (new at 10:00, 200 req/s, 10 % → 40 % errors)',
      service: 'search',
      operation: 'POST /export',
      incidents: [EXPORT_INCIDENT],
    },
  ],
};

/** The error scenarios, in the order `samplane simulate all` reports them. */
export const ERROR_SCENARIOS: readonly Scenario[] = [errorIncident, errorFlapping, errorPermanent, errorBudget, errorNewOperation];
