import type { AppConfig } from '../config/app-config';
import { flushPeriodMs } from './flush-period';

/**
 * How far back a report's counts may be spread (its `windowSeconds`, at most this). A report
 * of 5 s of counts is 5 s of traffic, not a burst in the second it arrived; spread over its
 * window, back from its arrival, rates read from it are steady, even from an SDK reporting once
 * a slot (taken as an instant, a slot got two of its reports and the next none whenever they
 * arrived as a slot was drained). The leader reads a slot only once every replica has flushed
 * this far past it; two flush periods short of ADAPTIVE_DELAY, that rarely holds a read back.
 */
export function reportWindowLimitMs(config: Pick<AppConfig, 'ingestFlushIntervalMs'> & { adaptive: { delayMs: number } }): number {
  return Math.max(0, config.adaptive.delayMs - 2 * flushPeriodMs(config.ingestFlushIntervalMs));
}
