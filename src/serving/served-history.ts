import type { ServingEntry, ServingSnapshot } from './serving-snapshot';

/**
 * How long a replaced snapshot is kept to tell what was served when: OTLP exporters send spans
 * seconds after sampling them (OpenTelemetry's batch span processor waits 5 s), and retry.
 */
export const SERVED_HISTORY_MS = 30_000;

/**
 * The snapshots served lately, so that a span without sampler tags is counted at the
 * probability served when it was sampled rather than at the one served when it arrives.
 */
export class ServedHistory {
  /** Snapshots replaced within `SERVED_HISTORY_MS`, oldest first, with when they were replaced. */
  private past: { snapshot: ServingSnapshot; until: number }[] = [];

  constructor(private current: ServingSnapshot) {}

  /** `next` is served from its `builtAt` on. */
  replace(next: ServingSnapshot): void {
    const now = next.builtAt;
    this.past.push({ snapshot: this.current, until: now });
    this.current = next;
    while (this.past.length > 0 && this.past[0].until < now - SERVED_HISTORY_MS) this.past.shift();
  }

  /**
   * What was served to `service` at `at` (ms since the epoch): the snapshot then current, or
   * the oldest one kept for a time before them all.
   */
  lookupAt(service: string, at: number): ServingEntry {
    if (at >= this.current.builtAt) return this.current.lookup(service);
    for (let i = this.past.length - 1; i >= 0; i--) {
      if (at >= this.past[i].snapshot.builtAt) return this.past[i].snapshot.lookup(service);
    }
    return (this.past[0]?.snapshot ?? this.current).lookup(service);
  }
}
