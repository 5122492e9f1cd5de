import type { StrategyProvider } from '../serving/strategy-provider';
import type { ThroughputAccumulator } from './throughput-accumulator';

/**
 * ADAPTIVE_MAX_SERVICES: a service is admitted when the last calculation or this window already
 * counts it, or while the two together (an overestimate, never an under-) stay below the cap.
 * Each check is a few lookups; the calculation's service count is cached per snapshot.
 */
export class ServiceCap {
  private computedFrom: object | null | undefined;
  private computed: Record<string, unknown> = {};
  private computedCount = 0;

  constructor(
    private readonly max: number,
    private readonly accumulator: ThroughputAccumulator,
    private readonly provider: StrategyProvider,
  ) {}

  admits(service: string): boolean {
    if (this.accumulator.has(service)) return true;
    this.refresh();
    if (Object.hasOwn(this.computed, service)) return true;
    return this.accumulator.serviceCount + this.computedCount < this.max;
  }

  private refresh(): void {
    const snapshot = this.provider.computed;
    if (snapshot === this.computedFrom) return;
    this.computedFrom = snapshot;
    this.computed = snapshot?.probabilities ?? {};
    this.computedCount = Object.keys(this.computed).length;
  }
}
