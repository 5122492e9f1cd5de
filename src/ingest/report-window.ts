import type { AppConfig } from '../config/app-config';

/**
 * How far back a report's counts may be spread (its `windowSeconds`, at most this). A report
 * of 5 s of counts is 5 s of traffic, not a burst in the second it arrived; spread over its
 * window, rates read from it are steady. The leader reads a slot only ADAPTIVE_DELAY after it
 * ends, so counts spread back less than the delay (minus two slots of margin) never land in
 * a slot already read.
 */
export function reportWindowLimitMs(config: Pick<AppConfig, 'ingestFlushIntervalMs'> & { adaptive: { delayMs: number } }): number {
  return Math.max(0, config.adaptive.delayMs - 2 * config.ingestFlushIntervalMs);
}
