import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AdaptiveServingDefaults } from '../sampling/adaptive-strategy';
import type { EngineSettings } from '../engine/engine-settings';
import type { OperationSettings, Probabilities } from '../sampling/calculator';
import type { Policy } from '../sampling/policy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { ProbabilitiesSnapshot } from '../store/store';
import { MetricsService } from '../telemetry/metrics.service';
import { composeStrategies } from './compose-strategies';
import { policySettings } from './policy-settings';
import { servedProbabilities } from './served-probabilities';
import { ServedHistory } from './served-history';
import { type ServingEntry, ServingSnapshot } from './serving-snapshot';

/**
 * Holds the snapshot every poll is answered from. Inputs (the strategies file, computed
 * probabilities) arrive from their own sources; each arrival rebuilds and swaps the snapshot.
 * A poll never waits on anything here.
 */
@Injectable()
export class StrategyProvider implements EngineSettings {
  private file: StaticStrategies | undefined;
  private probabilities: ProbabilitiesSnapshot | null = null;
  private policies: ReadonlyMap<string, Policy> = new Map();
  private readonly defaults: AdaptiveServingDefaults;
  private readonly maxOperations: number;
  private current: ServingSnapshot;
  private readonly history: ServedHistory;
  private readonly rebuildListeners: Array<(snapshot: ServingSnapshot) => void> = [];

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
    this.history = new ServedHistory(this.current);
  }

  lookup(service: string): ServingEntry {
    return this.current.lookup(service);
  }

  /** What was served to `service` at `at` (ms since the epoch), within the last 30 s. */
  lookupAt(service: string, at: number): ServingEntry {
    return this.history.lookupAt(service, at);
  }

  get snapshot(): ServingSnapshot {
    return this.current;
  }

  /** Calls back with every new snapshot (and now with the current one), for answers encoded from it. */
  onRebuild(listener: (snapshot: ServingSnapshot) => void): void {
    this.rebuildListeners.push(listener);
    listener(this.current);
  }

  get probabilitiesVersion(): number {
    return this.probabilities?.version ?? 0;
  }

  applyFile(file: StaticStrategies | undefined): void {
    this.file = file;
    this.replace();
  }

  applyProbabilities(probabilities: ProbabilitiesSnapshot): void {
    this.probabilities = probabilities;
    this.replace();
  }

  /** Operator policies by service (`*` for the default policy), replacing the previous set. */
  applyPolicies(policies: ReadonlyMap<string, Policy>): void {
    this.policies = policies;
    this.replace();
  }

  /** The last computed probabilities this replica serves (with their QPS), for the admin views. */
  get computed(): ProbabilitiesSnapshot | null {
    return this.probabilities;
  }

  /** Operator policies in force, by service. */
  get activePolicies(): ReadonlyMap<string, Policy> {
    return this.policies;
  }

  /**
   * What the engine should aim at for one operation: its adaptive policy's target and bounds
   * (the service's own policy, else `*`). Non-adaptive policies and file entries decide the
   * served rate themselves, so the engine's result for them is never served.
   */
  operationSettings(service: string, operation: string): OperationSettings | undefined {
    const policy = this.policies.get(service) ?? (this.file?.services.has(service) ? undefined : this.policies.get('*'));
    return policy && policySettings(policy, operation);
  }

  servedProbabilities(): Probabilities {
    return servedProbabilities(this.probabilities, this.current);
  }

  private replace(): void {
    this.current = this.rebuild();
    this.history.replace(this.current);
  }

  private rebuild(): ServingSnapshot {
    const composed = composeStrategies(this.file, this.probabilities, this.defaults, this.maxOperations, this.policies);
    this.metrics.servedOverCap(composed.overCap ?? 0);
    const snapshot = ServingSnapshot.build(composed, this.probabilitiesVersion, Date.now());
    this.metrics.snapshotServed(snapshot.probabilitiesVersion, snapshot.builtAt);
    // Listeners read the provider's state, so they see the new snapshot once it is in place.
    queueMicrotask(() => {
      if (this.current === snapshot) for (const listener of this.rebuildListeners) listener(snapshot);
    });
    return snapshot;
  }
}
