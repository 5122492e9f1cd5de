import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LeaderElector } from '../engine/leader-elector';
import { REPLICA_ID } from '../engine/replica-identity';
import { type CalculationRecord, HISTORY_STORE, type HistoryStore } from '../store/history-store';
import { StrategyProvider } from '../serving/strategy-provider';
import { type Readiness, ReadinessService } from '../telemetry/readiness.service';

export interface EngineStatus {
  replica: string;
  /** Whether the replica answering holds the leader lease. */
  thisReplicaLeads: boolean;
  /** The replica that made the newest calculation: the leader as far as the store knows. */
  leader: string | null;
  algorithm: string;
  calculationIntervalSeconds: number;
  lastCalculation: (CalculationRecord & { ageSeconds: number }) | null;
  snapshot: { version: number; computedAt: string | null; ageSeconds: number | null };
  dependencies: Readiness['checks'];
  fleet: { services: number; operations: number; requestsPerSecond: number; sampledPerSecond: number };
}

/** `GET /api/v1/engine`: the engine's state as this replica sees it, for the dashboard. */
@Injectable()
export class EngineStatusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REPLICA_ID) private readonly replica: string,
    @Inject(HISTORY_STORE) private readonly history: HistoryStore,
    private readonly elector: LeaderElector,
    private readonly provider: StrategyProvider,
    private readonly readiness: ReadinessService,
  ) {}

  async status(now = Date.now()): Promise<EngineStatus> {
    const [last, readiness] = await Promise.all([this.history.lastCalculation().catch(() => null), this.readiness.check()]);
    const computed = this.provider.computed;
    const fleet = { services: 0, operations: 0, requestsPerSecond: 0, sampledPerSecond: 0 };
    const names = new Set<string>([...this.provider.snapshot.services()].map(([name]) => name));
    for (const [service, summary] of Object.entries(computed?.summaries ?? {})) {
      names.add(service);
      fleet.operations += summary.operations;
      fleet.requestsPerSecond += summary.requestsPerSecond;
      fleet.sampledPerSecond += summary.sampledPerSecond;
    }
    fleet.services = names.size;
    return {
      replica: this.replica,
      thisReplicaLeads: this.elector.currentFence() !== undefined,
      leader: last?.replica ?? null,
      algorithm: this.config.adaptive.algorithm,
      calculationIntervalSeconds: this.config.adaptive.calculationIntervalMs / 1000,
      lastCalculation: last && { ...last, ageSeconds: Math.max(0, (now - last.at) / 1000) },
      snapshot: {
        version: computed?.version ?? 0,
        computedAt: computed ? new Date(computed.computedAt).toISOString() : null,
        ageSeconds: computed ? Math.max(0, (now - computed.computedAt) / 1000) : null,
      },
      dependencies: readiness.checks,
      fleet,
    };
  }
}
