/**
 * A flush of reports' counts at least this often, whatever the slot (INGEST_FLUSH_INTERVAL).
 * Held in memory for a whole slot, they outlived V8's young-generation collections (one every
 * ~0.4 s under a large fleet's reports) and were copied, then promoted: at 200,000 operations
 * ~10 MB/s, and scavenges of 20–50 ms that polls waited behind. Held a quarter as long, most die young.
 */
export const MAX_FLUSH_PERIOD_MS = 250;

/**
 * How often a replica flushes, given its slot: at most MAX_FLUSH_PERIOD_MS, and a whole number of
 * flushes a slot, so the last flush in each slot (the instants') comes once a slot exactly.
 */
export function flushPeriodMs(slotMs: number): number {
  return slotMs / Math.ceil(slotMs / MAX_FLUSH_PERIOD_MS);
}
