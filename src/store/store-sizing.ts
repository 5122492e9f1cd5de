import type { AppConfig } from '../config/app-config';
import { reportWindowLimitMs } from '../ingest/report-window';
import { historyBounds } from './history-store';

/** How finely and how long shared state is kept; every connection to the store agrees on it. */
export function storeSizing(config: AppConfig) {
  return {
    slotMs: config.ingestFlushIntervalMs,
    // Long enough for a new leader to reload every bucket it keeps, short enough to stay small.
    retentionMs: (config.adaptive.aggregationBuckets + 2) * config.adaptive.calculationIntervalMs + config.adaptive.delayMs + 60_000,
    bounds: historyBounds(config.adaptive.calculationIntervalMs),
    window: reportWindowLimitMs(config),
  };
}
