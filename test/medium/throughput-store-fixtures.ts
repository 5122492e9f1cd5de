import type { CountedOperation } from '../../src/sampling/counted-operation';
import type { ThroughputStore } from '../../src/store/throughput-store';

export interface ThroughputStoreOptions {
  keyPrefix: string;
  slotMs: number;
  retentionMs: number;
  /** The longest report window the store spreads counts over. */
  maxWindowMs: number;
}

/**
 * Makes a throughput store whose keys start with `keyPrefix`; `close` releases what it holds
 * (a connection). Different prefixes never share state.
 */
export type MakeThroughputStore = (
  options: ThroughputStoreOptions,
) => Promise<{ store: ThroughputStore; close(): Promise<void> }>;

export const SLOT_MS = 10_000;
export const RETENTION_MS = 15 * 60_000;
export const MAX_WINDOW_MS = 3 * SLOT_MS;
/** A slot boundary in the recent past, so Redis expiry never touches what a test wrote. */
export const BASE = Math.floor((Date.now() - 60_000) / SLOT_MS) * SLOT_MS;

/** Names a reporter may legally send, chosen to break any encoding built by concatenation. */
export const AWKWARD_NAMES = [
  'plain',
  'with "double" quotes',
  "with 'single' quotes",
  'pipe|inside',
  's|prefixed',
  '|',
  '["json","array"]',
  '{"service":"x","operation":"y"}',
  'line\nbreak',
  'tab\tand\rreturn',
  'back\\slash',
  'ünïcødé — 日本語 🚀',
  'lone surrogate \ud800',
  ' leading and trailing ',
  'tp:1767225600000',
  '0.5',
  'x'.repeat(1024),
];

export function counted(service: string, operation: string, sampled: number, probabilities: string[] = []): CountedOperation {
  return { service, operation, sampled, requests: sampled * 10, errors: 0, probabilities };
}

/** Order-free comparison: stores may return records and probabilities in any order. */
export function normalise(records: CountedOperation[]): CountedOperation[] {
  return records
    .map((r) => ({ ...r, probabilities: [...r.probabilities].sort() }))
    .sort((a, b) => compare(a.service, b.service) || compare(a.operation, b.operation));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
