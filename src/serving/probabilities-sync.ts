import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { FreshRuns } from '../common/fresh-runs';
import { type TimeSlicer, timeSlicer } from '../common/time-slicer';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dictionary } from '../sampling/dictionary';
import { SAMPLING_STORE, type ProbabilitiesSnapshot, type SamplingStore } from '../store/store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { StrategyProvider } from './strategy-provider';

/**
 * Copies computed probabilities from the shared store into the serving snapshot: at start,
 * every SNAPSHOT_RELOAD_INTERVAL, and as soon as the store reconnects. A failed read changes
 * nothing: polls keep being answered from what was last copied.
 */
@Injectable()
export class ProbabilitiesSync implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private readonly runs = new FreshRuns(() => this.syncOnce());
  private lastFailure: string | undefined;
  /**
   * Set when the store may have lost its state (a reconnect, or version 0). A Redis without
   * persistence numbers its snapshots from 1 again after a restart, so the next version it
   * reports can equal the one being served while carrying different probabilities: it must
   * be loaded, not skipped as "unchanged".
   */
  private versionMayRepeat = false;
  /**
   * Services' operations found valid that cannot change (a store's frozen shards, handed to
   * every version while their content holds): checked once, not at every version.
   */
  private readonly checked = new WeakSet<object>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(SAMPLING_STORE) private readonly store: SamplingStore,
    private readonly provider: StrategyProvider,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
    this.store.onReconnect(() => this.storeReconnected());
    this.timer = setInterval(() => void this.sync(), this.config.snapshotReloadIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Brings the serving snapshot up to the store's version. A call while a run is under way (an
   * announcement, a reconnect) is answered by one run after it, shared by every such call: the
   * run may have read the version before the change it was called for, which would otherwise
   * wait for the next interval (on a large fleet a run lasts seconds, and versions meet it).
   */
  sync(): Promise<void> {
    return this.runs.request();
  }

  private storeReconnected(): void {
    this.versionMayRepeat = true;
    void this.sync();
  }

  private async syncOnce(): Promise<void> {
    try {
      const version = await this.store.probabilitiesVersion();
      // Version 0 means the store lost its state (a Redis without persistence restarted):
      // keep serving what we have rather than falling back to defaults.
      if (version === 0) {
        this.versionMayRepeat = true;
        this.lastFailure = undefined;
        return;
      }
      if (version === this.provider.probabilitiesVersion && !this.versionMayRepeat) {
        this.lastFailure = undefined;
        return;
      }
      // Decoding and re-encoding a large fleet's snapshot goes in slices: polls keep their turn.
      const slicer = timeSlicer();
      const started = performance.now();
      const snapshot = await this.store.loadProbabilities(slicer);
      if (snapshot) {
        const loaded = performance.now();
        this.versionMayRepeat = false;
        await this.provider.applyProbabilities(await this.sanitize(snapshot, slicer));
        // Where a version's way to the pollers goes: on a large fleet, seconds in each.
        this.logger.debug({ version: snapshot.version, loadMs: Math.round(loaded - started), applyMs: Math.round(performance.now() - loaded) }, 'probabilities served');
      }
      this.lastFailure = undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason !== this.lastFailure) {
        this.logger.warn({ reason }, 'cannot read probabilities from the store; serving the last known ones');
        this.lastFailure = reason;
      }
    }
  }

  /** A value no SDK can use is dropped here rather than served. */
  private async sanitize(snapshot: ProbabilitiesSnapshot, slicer: TimeSlicer): Promise<ProbabilitiesSnapshot> {
    // Checked in place: a large fleet's snapshot is copied only when something must go.
    let dropped = 0;
    let clean: ProbabilitiesSnapshot['probabilities'] | undefined;
    const services = Object.entries(snapshot.probabilities ?? {});
    for (const [i, [service, operations]] of services.entries()) {
      const invalid = typeof operations !== 'object' || operations === null ? 1 : this.checked.has(operations) ? 0 : invalidIn(operations);
      if (invalid === 0 && Object.isFrozen(operations)) this.checked.add(operations);
      if (invalid > 0 && !clean) {
        clean = dictionary();
        for (const [earlier, kept] of services.slice(0, i)) clean[earlier] = kept;
      }
      dropped += invalid;
      if (clean && typeof operations === 'object' && operations !== null) clean[service] = invalid > 0 ? validOf(operations) : operations;
      if (slicer.due()) await slicer.yield();
    }
    if (dropped > 0) this.logger.warn({ dropped, version: snapshot.version }, 'dropped invalid probabilities');
    return clean ? { ...snapshot, probabilities: clean } : snapshot;
  }
}

function valid(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function invalidIn(operations: Record<string, unknown>): number {
  let invalid = 0;
  for (const operation in operations) if (!valid(operations[operation])) invalid++;
  return invalid;
}

function validOf(operations: Record<string, unknown>): Record<string, number> {
  const kept = dictionary<number>();
  for (const [operation, value] of Object.entries(operations)) if (valid(value)) kept[operation] = value;
  return kept;
}
