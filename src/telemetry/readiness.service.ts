import { Inject, Injectable } from '@nestjs/common';
import { SAMPLING_STORE, type SamplingStore } from '../store/store';

export interface Readiness {
  ready: boolean;
  checks: Record<string, { status: 'up' | 'down'; kind?: string; reason?: string }>;
}

/**
 * Whether this replica has its dependencies. Not ready still means polls are answered (from
 * the last snapshot): readiness tells operators and load balancers, it does not stop serving.
 */
@Injectable()
export class ReadinessService {
  constructor(@Inject(SAMPLING_STORE) private readonly store: SamplingStore) {}

  async check(): Promise<Readiness> {
    const checks: Readiness['checks'] = {};
    try {
      await this.store.ping();
      checks.store = { status: 'up', kind: this.store.kind };
    } catch (error) {
      checks.store = { status: 'down', kind: this.store.kind, reason: (error as Error).message };
    }
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}
