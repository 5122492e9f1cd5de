/**
 * Bounds on what one report may carry. They keep a single bad or hostile reporter from
 * growing memory, Redis or label cardinality without limit.
 */
export const INGEST_LIMITS = {
  maxServiceLength: 256,
  maxOperationLength: 1024,
  maxInstanceLength: 256,
  maxOperationsPerReport: 2000,
  maxWindowSeconds: 86_400,
  otlpBodyBytes: 16 * 1024 * 1024,
} as const;
