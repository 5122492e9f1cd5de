/** What one replica counted for one operation since its last flush. */
export interface CountedOperation {
  service: string;
  operation: string;
  /** Sampled root spans: Jaeger's count. */
  sampled: number;
  /** Requests: exact where reporters sent totals, sampled spans scaled by 1/p where not. */
  requests: number;
  /**
   * The part of `requests` that reporters counted exactly (absent: none). The rest was scaled
   * up from sampled spans, and is as noisy as the sampled count it came from.
   */
  exact?: number;
  /** Errors among `outcomes`. */
  errors: number;
  /**
   * Requests whose outcome was seen (absent: all of `requests`): reports count every outcome or
   * only sampled ones, span copies one per span. The error rate is `errors / outcomes`.
   */
  outcomes?: number;
  /** Probabilities seen, formatted to 6 decimals as Jaeger keys them; at most 10. */
  probabilities: string[];
  /**
   * The counts were seen over this long before `endMs` (a report's window), and are spread
   * evenly over it; absent: at the flush.
   */
  windowMs?: number;
  /**
   * When the window ended: its report's arrival (absent: the flush). Anchored at the flush, a
   * window moved by a whole flush period whenever its report came just after one.
   */
  endMs?: number;
}
