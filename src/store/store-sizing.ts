import type { AppConfig } from '../config/app-config';
import { reportWindowLimitMs } from '../ingest/report-window';
import { historyBounds } from './history-store';

/**
 * How far back a calculation reads slots: a leader that has not calculated for longer (a new
 * leader after a gap, one whose calculations failed) reads only this much of the gap, as one
 * bucket. Two intervals cover a takeover (a lease or two, then a calculation).
 */
export function catchUpMs(adaptive: Pick<AppConfig['adaptive'], 'calculationIntervalMs'>): number {
  return Math.max(2 * adaptive.calculationIntervalMs, 60_000);
}

/** The oldest slot a calculation's read may start at, at `now`: older ones have expired. */
export function oldestReadableSlot(now: number, adaptive: AppConfig['adaptive'], slotMs: number): number {
  return Math.ceil((now - adaptive.delayMs - catchUpMs(adaptive)) / slotMs) * slotMs;
}

/** How finely and how long shared state is kept; every connection to the store agrees on it. */
export function storeSizing(config: AppConfig) {
  const { adaptive } = config;
  const window = reportWindowLimitMs(config);
  return {
    slotMs: config.ingestFlushIntervalMs,
    // Slots are read once, by the next calculation or a catch-up, and a minute of slack; a new
    // leader's history is the calculated intervals kept summed, which a tenth of the room holds.
    retentionMs: catchUpMs(adaptive) + adaptive.delayMs + window + 60_000,
    keptMs: (adaptive.aggregationBuckets + 2) * adaptive.calculationIntervalMs + adaptive.delayMs + 60_000,
    bounds: historyBounds(config.adaptive.calculationIntervalMs),
    window,
  };
}
