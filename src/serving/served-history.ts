import type { OperationRates, RatesView, ServingSnapshot } from './serving-snapshot';

/**
 * How long a replaced snapshot is kept to tell what was served when: OTLP exporters send spans
 * seconds after sampling them (OpenTelemetry's batch span processor waits 5 s), and retry.
 */
export const SERVED_HISTORY_MS = 30_000;

/**
 * The rates served lately, so that a span without sampler tags is counted at the probability
 * served when it was sampled rather than at the one served when it arrives. A replaced
 * snapshot is kept as its rates alone: its encoded answers (tens of MiB for a large fleet)
 * go with it.
 */
export class ServedHistory {
  /** Rates replaced within `SERVED_HISTORY_MS`, oldest first, with when they were replaced. */
  private past: { view: RatesView; until: number }[] = [];

  constructor(private current: ServingSnapshot) {}

  /** `next` is served from its `builtAt` on. */
  replace(next: ServingSnapshot): void {
    const now = next.builtAt;
    this.past.push({ view: this.current.ratesView(), until: now });
    this.current = next;
    while (this.past.length > 0 && this.past[0].until < now - SERVED_HISTORY_MS) this.past.shift();
  }

  /**
   * What was served to `service` at `at` (ms since the epoch): the snapshot then current, or
   * the oldest one kept for a time before them all.
   */
  lookupAt(service: string, at: number): OperationRates {
    if (at >= this.current.builtAt) return this.current.lookup(service).rates;
    for (let i = this.past.length - 1; i >= 0; i--) {
      if (at >= this.past[i].view.builtAt) return ratesIn(this.past[i].view, service);
    }
    return this.past[0] ? ratesIn(this.past[0].view, service) : this.current.lookup(service).rates;
  }
}

function ratesIn(view: RatesView, service: string): OperationRates {
  return view.rates.get(service) ?? view.fallback;
}
