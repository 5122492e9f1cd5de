import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { createCalculator } from '../engine/calculator-factory';
import { readHistory } from '../engine/interval-buckets';
import { checkServiceName, parsePolicy } from '../policies/policy-document';
import type { ThroughputBucket } from '../sampling/throughput';
import { StrategyProvider } from '../serving/strategy-provider';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { type PolicyPreview, previewPolicy } from './policy-preview';
import { RecordedExplanations } from './recorded-explanations';

/** `POST /api/v1/policies/:service/preview`: the draft is validated like a PUT, never stored. */
@Injectable()
export class PreviewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(THROUGHPUT_STORE) private readonly throughput: ThroughputStore,
    private readonly provider: StrategyProvider,
    private readonly recorded: RecordedExplanations,
  ) {}

  async preview(service: string, document: unknown): Promise<PolicyPreview> {
    checkServiceName(service);
    const draft = parsePolicy(document);
    const computed = this.provider.computed;
    return previewPolicy({
      service,
      draft,
      current: this.provider.lookup(service).strategy,
      computed,
      recorded: await this.recorded.of(service),
      buckets: await this.recentBuckets(service, computed?.dataThrough),
      options: this.config.adaptive,
      defaults: {
        initialSamplingProbability: this.config.adaptive.initialSamplingProbability,
        minSamplesPerSecond: this.config.adaptive.minSamplesPerSecond,
      },
      createCalculator,
    });
  }

  /**
   * The intervals the last calculation saw, oldest first, stopping at the first one without the
   * service's traffic, as a new leader loads them.
   */
  private async recentBuckets(service: string, through: number | undefined): Promise<ThroughputBucket[]> {
    if (through === undefined) return [];
    const calculator = createCalculator(this.config.adaptive);
    return readHistory(this.throughput, through, {
      intervalMs: this.config.adaptive.calculationIntervalMs,
      buckets: this.config.adaptive.aggregationBuckets,
      counts: calculator.counts,
      service,
    });
  }
}
