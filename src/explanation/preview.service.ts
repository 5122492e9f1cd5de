import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { createCalculator } from '../engine/calculator-factory';
import { throughputBucket } from '../engine/throughput-bucket';
import { checkServiceName, parsePolicy } from '../policies/policy-document';
import type { ThroughputBucket } from '../sampling/throughput';
import { StrategyProvider } from '../serving/strategy-provider';
import { THROUGHPUT_STORE, type ThroughputStore } from '../store/throughput-store';
import { type PolicyPreview, ofService, previewPolicy } from './policy-preview';

/** `POST /api/v1/policies/:service/preview`: the draft is validated like a PUT, never stored. */
@Injectable()
export class PreviewService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(THROUGHPUT_STORE) private readonly throughput: ThroughputStore,
    private readonly provider: StrategyProvider,
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
    const interval = this.config.adaptive.calculationIntervalMs;
    const slot = this.throughput.slotMs;
    const buckets: ThroughputBucket[] = [];
    for (let i = 0; i < this.config.adaptive.aggregationBuckets; i++) {
      const to = through - i * interval;
      const from = Math.floor((to - interval) / slot) * slot;
      const counted = ofService(await this.throughput.read(from, to), service);
      if (counted.length === 0) break;
      buckets.push(throughputBucket(counted, to - from, this.config.adaptive.algorithm));
    }
    return buckets.reverse();
  }
}
