import type { AppConfig } from '../config/app-config';
import { flushPeriodMs } from './flush-period';

/**
 * How far back a report's counts may be spread (its `windowSeconds`, at most this). A report
 * of 5 s of counts is 5 s of traffic, not a burst in the second it arrived; spread over its
 * window, rates read from it are steady. Spread back from the flush that drains them, less
 * than the delay minus two flush periods (time for a flush under way to be written), they never
 * land in a slot the leader has read, which it does only ADAPTIVE_DELAY after the slot ends.
 * Even a short spread matters: an SDK reporting once a slot, taken as an instant, gives a slot
 * two reports and the next none whenever its reports arrive as a slot is drained.
 */
export function reportWindowLimitMs(config: Pick<AppConfig, 'ingestFlushIntervalMs'> & { adaptive: { delayMs: number } }): number {
  return Math.max(0, config.adaptive.delayMs - 2 * flushPeriodMs(config.ingestFlushIntervalMs));
}
