import { ignoresQuota } from '../sampling/xray/reservoir-split';
import type { StatisticsDocument } from '../sampling/xray/xray-requests';
import type { InstanceRates } from '../sampling/xray/xray-targets';

interface Seen {
  /** When this replica last had the instance's report for the rule (epoch ms). */
  at: number;
  /** That report's counts, read again with the next report's. */
  requests: number;
  borrowed: number;
  /** When the report before it came (epoch ms); undefined when that one was not seen here. */
  since: number | undefined;
  /** The quota it was given then. */
  quota: number;
  /** Sticky: it borrowed while holding a quota, so it is not given quotas any more. */
  ignoresQuota: boolean;
}

/**
 * What this replica remembers of each (instance, rule): enough to turn a report's counts into
 * rates and to tell an instance that does not use its quotas. Bounded: the least recently
 * reporting entries go first, and entries older than three intervals say nothing anyway.
 */
export class InstanceHistory {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly intervalMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /**
   * The instance's rates under the rule: its last two reports' counts over the time since the
   * report before them, so one report that reached this replica late (a pause here, a slow
   * network) does not make the next one's window look short and its rate look high. Over one
   * window when only the previous report was seen here, over the interval for a first report
   * (a load balancer may have sent the previous one to another replica).
   */
  observe(document: StatisticsDocument, nowMs: number): InstanceRates {
    const key = keyOf(document);
    const previous = this.seen.get(key);
    const fresh = previous !== undefined && nowMs - previous.at < 3 * this.intervalMs;
    const ignores = fresh && (previous.ignoresQuota || ignoresQuota(previous.quota, document.BorrowCount));
    let requests = document.RequestCount;
    let borrowed = document.BorrowCount;
    let windowMs = this.intervalMs;
    if (fresh && previous.since !== undefined) {
      requests += previous.requests;
      borrowed += previous.borrowed;
      windowMs = Math.max(250, nowMs - previous.since);
    } else if (fresh) windowMs = Math.max(250, nowMs - previous.at);
    this.seen.delete(key);
    if (this.seen.size >= this.maxEntries) this.sweep(nowMs);
    // Re-inserted, so the map stays ordered from least to most recently reporting.
    this.seen.set(key, {
      at: nowMs,
      requests: document.RequestCount,
      borrowed: document.BorrowCount,
      since: fresh ? previous.at : undefined,
      quota: 0,
      ignoresQuota: ignores,
    });
    const requestsPerSecond = requests / (windowMs / 1000);
    if (!ignores) return { requestsPerSecond };
    return { requestsPerSecond, borrowedPerSecond: borrowed / (windowMs / 1000) };
  }

  /** Remembers the quota just given, to judge the instance's next report by. */
  gave(document: StatisticsDocument, quota: number): void {
    const entry = this.seen.get(keyOf(document));
    if (entry) entry.quota = quota;
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(nowMs: number): void {
    for (const [key, entry] of this.seen) {
      if (nowMs - entry.at < 3 * this.intervalMs && this.seen.size < this.maxEntries) break;
      this.seen.delete(key);
    }
  }
}

function keyOf(document: StatisticsDocument): string {
  return `${document.ClientID}\u0000${document.RuleName}`;
}
