/** What one replica counted for one operation since its last flush. */
export interface CountedOperation {
  service: string;
  operation: string;
  /** Sampled root spans: Jaeger's count. */
  sampled: number;
  /** Requests: exact where reporters sent totals, sampled spans scaled by 1/p where not. */
  requests: number;
  errors: number;
  /** Probabilities seen, formatted to 6 decimals as Jaeger keys them; at most 10. */
  probabilities: string[];
}
