import type { StrategyProvider } from '../serving/strategy-provider';

/** Versions after which an admitted service the calculations never showed stops holding a place. */
const ADMITTED_VERSIONS = 3;

/**
 * ADAPTIVE_MAX_SERVICES: a service is admitted when the last calculation knows it or it was
 * admitted since, or while those together stay below the cap. Admitted services are held until
 * a calculation shows them: their counts may already be flushed, and a window that forgot them
 * would let every flush interval admit the cap again. Each check is a few lookups.
 */
export class ServiceCap {
  private computedFrom: object | null | undefined;
  private computed: Record<string, unknown> = {};
  private computedCount = 0;
  private version = 0;
  /** Admitted services the last calculation does not show yet → the version they were admitted at. */
  private readonly admitted = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly provider: StrategyProvider,
  ) {}

  admits(service: string): boolean {
    this.refresh();
    if (Object.hasOwn(this.computed, service) || this.admitted.has(service)) return true;
    if (this.computedCount + this.admitted.size >= this.max) return false;
    this.admitted.set(service, this.version);
    return true;
  }

  private refresh(): void {
    const snapshot = this.provider.computed;
    if (snapshot === this.computedFrom) return;
    this.computedFrom = snapshot;
    this.computed = snapshot?.probabilities ?? {};
    this.computedCount = Object.keys(this.computed).length;
    this.version = snapshot?.version ?? 0;
    // Shown by a calculation now, or never will be (its counts were lost; the store restarted
    // and numbers versions from 1 again): the place goes.
    for (const [service, at] of this.admitted) {
      if (Object.hasOwn(this.computed, service) || this.version >= at + ADMITTED_VERSIONS || this.version < at) this.admitted.delete(service);
    }
  }
}
