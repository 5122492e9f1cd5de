import { Inject, Injectable } from '@nestjs/common';
import { SAMPLING_STORE, type SamplingStore } from '../store/store';

export interface Readiness {
  ready: boolean;
  checks: Record<string, { status: 'up' | 'down'; kind?: string; reason?: string }>;
}

interface Dependency {
  kind: string;
  ping(): Promise<void>;
}

/**
 * Whether this replica has its dependencies. Not ready still means polls are answered (from
 * the last snapshot): readiness tells operators and load balancers, it does not stop serving.
 * The store is always checked; other modules register theirs (the policy database).
 */
@Injectable()
export class ReadinessService {
  private readonly dependencies = new Map<string, Dependency>();

  constructor(@Inject(SAMPLING_STORE) store: SamplingStore) {
    this.dependencies.set('store', { kind: store.kind, ping: () => store.ping() });
  }

  register(name: string, dependency: Dependency): void {
    this.dependencies.set(name, dependency);
  }

  /** Pings every dependency, or only those named. */
  async check(only?: readonly string[]): Promise<Readiness> {
    const checks: Readiness['checks'] = {};
    await Promise.all(
      [...this.dependencies].filter(([name]) => !only || only.includes(name)).map(async ([name, dependency]) => {
        try {
          await dependency.ping();
          checks[name] = { status: 'up', kind: dependency.kind };
        } catch (error) {
          checks[name] = { status: 'down', kind: dependency.kind, reason: (error as Error).message };
        }
      }),
    );
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}
