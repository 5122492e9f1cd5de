import { Inject, Injectable } from '@nestjs/common';
import { timeSlicer } from '../common/time-slicer';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { AdaptiveServingDefaults } from '../sampling/adaptive-strategy';
import type { ShareableEngineSettings } from '../engine/engine-settings';
import type { OperationSettings, Probabilities } from '../sampling/calculator';
import type { Policy } from '../sampling/policy';
import type { StaticStrategies } from '../sampling/strategies-file';
import type { ProbabilitiesSnapshot } from '../store/store';
import { MetricsService } from '../telemetry/metrics.service';
import { type ComposerInputs, StrategyComposer } from './compose-strategies';
import { type SettingsView, operationSettingsOf } from '../sampling/policy-settings';
import { changedServiceSteps } from './probabilities-diff';
import { type Changed, fileChanges, policyChanges } from './settings-diff';
import { servedProbabilities } from './served-probabilities';
import { ServedHistory } from './served-history';
import { type OperationRates, type ServingEntry, ServingSnapshot, encodeEntry } from './serving-snapshot';

/** What the next snapshot must redo: every service, or those named. */
/**
 * What the next snapshot must recompose: everything, or some services, plus those whose
 * probabilities changed since `diffFrom` (diffed in the rebuild, in slices, not on arrival).
 */
type Work = { all: true } | { all: false; services: Set<string>; diffFrom?: { previous: ProbabilitiesSnapshot | null } };

/**
 * Holds the snapshot every poll is answered from. Inputs (the strategies file, computed
 * probabilities, policies) arrive from their own sources; each arrival recomposes the services
 * it changes and swaps in a new snapshot. A poll never waits on anything here: a rebuild too
 * large for one slice of the event loop goes on in slices, and polls are answered from the
 * previous snapshot meanwhile.
 */
@Injectable()
export class StrategyProvider implements ShareableEngineSettings {
  private file: StaticStrategies | undefined;
  private probabilities: ProbabilitiesSnapshot | null = null;
  private policies: ReadonlyMap<string, Policy> = new Map();
  /** Counts changes of policies and the file (see settingsView). */
  private settingsChanges = 0;
  /** The probabilities the current snapshot was built from (the last ones applied may be ahead). */
  private served: ProbabilitiesSnapshot | null = null;
  private readonly defaults: AdaptiveServingDefaults;
  private readonly maxOperations: number;
  private current: ServingSnapshot;
  /** Operations each service's computed list lost to ADAPTIVE_MAX_OPERATIONS. */
  private readonly overCap = new Map<string, number>();
  private readonly history: ServedHistory;
  private readonly rebuildListeners: Array<(snapshot: ServingSnapshot) => void> = [];
  private pending: Work | undefined;
  private draining = false;
  private rebuilding: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.defaults = {
      initialSamplingProbability: config.adaptive.initialSamplingProbability,
      minSamplesPerSecond: config.adaptive.minSamplesPerSecond,
    };
    this.maxOperations = config.adaptive.maxOperations;
    const composer = new StrategyComposer(this.inputs());
    const fallback = composer.fallback();
    this.current = ServingSnapshot.of(new Map(), encodeEntry(fallback.strategy, fallback.source), 0, Date.now());
    this.history = new ServedHistory(this.current);
  }

  lookup(service: string): ServingEntry {
    return this.current.lookup(service);
  }

  /** What was served to `service` at `at` (ms since the epoch), within the last 30 s. */
  lookupAt(service: string, at: number): OperationRates {
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

  /** The version of the probabilities last applied (served once the rebuild under way ends). */
  get probabilitiesVersion(): number {
    return this.probabilities?.version ?? 0;
  }

  /** Recomposes the services whose entry changed (every service where the file's default did). */
  applyFile(file: StaticStrategies | undefined): Promise<void> {
    const changed = fileChanges(this.file, file);
    this.file = file;
    this.settingsChanges++;
    return this.request(workOf(changed));
  }

  /** Resolves once the snapshot serving these probabilities is in place. */
  applyProbabilities(probabilities: ProbabilitiesSnapshot): Promise<void> {
    const previous = this.probabilities;
    this.probabilities = probabilities;
    return this.request({ all: false, services: new Set(), diffFrom: { previous } });
  }

  /**
   * Operator policies by service (`*` for the default policy), replacing the previous set:
   * recomposes the services whose policy changed (every service where `*` did).
   */
  applyPolicies(policies: ReadonlyMap<string, Policy>): Promise<void> {
    const changed = policyChanges(this.policies, policies);
    this.policies = policies;
    this.settingsChanges++;
    return this.request(workOf(changed));
  }

  /** The computed probabilities this replica serves (with their QPS and totals), for the admin views. */
  get computed(): ProbabilitiesSnapshot | null {
    return this.served;
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
    return operationSettingsOf(this.policies, this.file?.services, service, operation);
  }

  /** Changes whenever policies or the strategies file do: a calculation thread's copy is stale. */
  get settingsVersion(): number {
    return this.settingsChanges;
  }

  /** The same settings as data, for a calculation in another thread. */
  settingsView(): SettingsView {
    return { policies: [...this.policies], fileServices: [...(this.file?.services.keys() ?? [])] };
  }

  servedProbabilities(): Probabilities {
    return servedProbabilities(this.served, this.current);
  }

  /**
   * Queues work for the next snapshot. With nothing under way it starts at once, and a small
   * rebuild (see SYNC_SERVICES) completes before this returns, as callers of a small fleet expect.
   */
  private request(work: Work): Promise<void> {
    this.pending = merge(this.pending, work);
    if (!this.draining) this.rebuilding = this.drain();
    return this.rebuilding;
  }

  /** Builds snapshots until no work is left; runs synchronously until a slice is used up. */
  private async drain(): Promise<void> {
    this.draining = true;
    const slicer = timeSlicer();
    try {
      while (this.pending) {
        const work = this.pending;
        this.pending = undefined;
        const inputs = this.inputs();
        const composer = new StrategyComposer(inputs);
        const names = composer.names();
        const entries = work.all ? new Map<string, ServingEntry>() : this.current.copyEntries();
        if (work.all) this.overCap.clear();
        let done = 0;
        let services = work.all ? names : work.services;
        if (!work.all && work.diffFrom && inputs.probabilities) {
          const steps = changedServiceSteps(work.diffFrom.previous, inputs.probabilities, this.maxOperations);
          let step = steps.next();
          while (!step.done) {
            if (++done > SYNC_SERVICES && slicer.due()) await slicer.yield();
            step = steps.next();
          }
          services = new Set([...work.services, ...step.value]);
        }
        for (const service of services) {
          if (names.has(service)) {
            const composed = composer.serve(service);
            entries.set(service, encodeEntry(composed.strategy, composed.source, this.current.entryOf(service)));
            if (composed.overCap > 0) this.overCap.set(service, composed.overCap);
            else this.overCap.delete(service);
          } else {
            entries.delete(service);
            this.overCap.delete(service);
          }
          if (++done > SYNC_SERVICES && slicer.due()) await slicer.yield();
        }
        // A fallback change (the default policy, the file's default) reaches every unnamed service.
        const fallback = composer.fallback();
        const snapshot = ServingSnapshot.of(entries, encodeEntry(fallback.strategy, fallback.source), inputs.probabilities?.version ?? 0, Date.now());
        this.swap(snapshot, inputs.probabilities);
      }
    } finally {
      this.draining = false;
    }
  }

  private inputs(): ComposerInputs {
    return {
      file: this.file,
      probabilities: this.probabilities,
      defaults: this.defaults,
      maxOperations: this.maxOperations,
      policies: this.policies,
    };
  }

  private swap(snapshot: ServingSnapshot, probabilities: ProbabilitiesSnapshot | null): void {
    let overCap = 0;
    for (const count of this.overCap.values()) overCap += count;
    this.metrics.servedOverCap(overCap);
    this.current = snapshot;
    this.served = probabilities;
    this.history.replace(snapshot);
    this.metrics.snapshotServed(snapshot.probabilitiesVersion, snapshot.builtAt);
    // Listeners read the provider's state, so they see the new snapshot once it is in place.
    queueMicrotask(() => {
      if (this.current === snapshot) for (const listener of this.rebuildListeners) listener(snapshot);
    });
  }
}

/**
 * A rebuild of up to this many services completes before `apply…` returns whatever the
 * machine's load, so a small fleet's callers see their change at once (a few ms of work).
 */
const SYNC_SERVICES = 16;

function workOf(changed: Changed): Work {
  return changed === 'all' ? { all: true } : { all: false, services: changed };
}

function merge(pending: Work | undefined, work: Work): Work {
  if (!pending) return work;
  if (pending.all || work.all) return { all: true };
  // The older snapshot to diff from covers every change since; the newer adds nothing.
  return { all: false, services: new Set([...pending.services, ...work.services]), diffFrom: pending.diffFrom ?? work.diffFrom };
}
