import type { Scenario } from '../scenario';
import { bursts } from '../traffic';

const FEED_BURSTS = [
  [1530, 1890],
  [2430, 2790],
] as const;
const IMPORT_IDLE = [
  [1230, 1830],
  [2430, 3030],
] as const;

/**
 * Bursts of 10× on an API, and a batch operation that stops for ten minutes twice and comes
 * back (the second time four times busier): where Jaeger's doubling of quiet operations hurts.
 */
export const burstyLoad: Scenario = {
  name: 'bursts',
  title: 'Bursts and a pausing batch job',
  description: 'GET /feed bursts 10× for 6 minutes twice; POST /import pauses for 10 minutes twice',
  operations: [
    { service: 'feed', operation: 'GET /feed', rate: bursts(100, 1000, FEED_BURSTS) },
    { service: 'feed', operation: 'POST /import', rate: (t) => (t < 2430 ? 500 : 2000), until: IMPORT_IDLE[0][0] },
    { service: 'feed', operation: 'POST /import', rate: (t) => (t < 2430 ? 500 : 2000), from: IMPORT_IDLE[0][1], until: IMPORT_IDLE[1][0] },
    { service: 'feed', operation: 'POST /import', rate: (t) => (t < 2430 ? 500 : 2000), from: IMPORT_IDLE[1][1] },
  ],
  tracked: [
    { label: 'feed GET /feed (100 ↔ 1000 req/s)', service: 'feed', operation: 'GET /feed', steps: FEED_BURSTS.flat() },
    {
      label: 'feed POST /import (500 req/s, idle, 2000 req/s)',
      service: 'feed',
      operation: 'POST /import',
      steps: IMPORT_IDLE.map(([, until]) => until),
      idle: IMPORT_IDLE,
    },
  ],
};
