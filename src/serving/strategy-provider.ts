import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AdaptiveServingDefaults } from '../sampling/adaptive-strategy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { ProbabilitiesSnapshot } from '../store/store';
import { MetricsService } from '../telemetry/metrics.service';
import { composeStrategies } from './compose-strategies';
import { type ServingEntry, ServingSnapshot } from './serving-snapshot';

/**
 * Holds the snapshot every poll is answered from. Inputs (the strategies file, computed
 * probabilities) arrive from their own sources; each arrival rebuilds and swaps the snapshot.
 * A poll never waits on anything here.
 */
@Injectable()
export class StrategyProvider {
  private file: StaticStrategies | undefined;
  private probabilities: ProbabilitiesSnapshot | null = null;
  private readonly defaults: AdaptiveServingDefaults;
  private readonly maxOperations: number;
  private current: ServingSnapshot;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.defaults = {
      initialSamplingProbability: config.adaptive.initialSamplingProbability,
      minSamplesPerSecond: config.adaptive.minSamplesPerSecond,
    };
    this.maxOperations = config.adaptive.maxOperations;
    this.current = this.rebuild();
  }

  lookup(service: string): ServingEntry {
    return this.current.lookup(service);
  }

  get snapshot(): ServingSnapshot {
    return this.current;
  }

  get probabilitiesVersion(): number {
    return this.probabilities?.version ?? 0;
  }

  applyFile(file: StaticStrategies | undefined): void {
    this.file = file;
    this.current = this.rebuild();
  }

  applyProbabilities(probabilities: ProbabilitiesSnapshot): void {
    this.probabilities = probabilities;
    this.current = this.rebuild();
  }

  private rebuild(): ServingSnapshot {
    const composed = composeStrategies(this.file, this.probabilities, this.defaults, this.maxOperations);
    this.metrics.servedOverCap(composed.overCap ?? 0);
    const snapshot = ServingSnapshot.build(composed, this.probabilitiesVersion, Date.now());
    this.metrics.snapshotServed(snapshot.probabilitiesVersion, snapshot.builtAt);
    return snapshot;
  }
}
