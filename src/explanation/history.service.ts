import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HISTORY_STORE, type HistoryStore, historyBounds } from '../store/history-store';
import type { ServiceHistoryView } from './history.dto';

/** The calculation history of one service, as every replica reads it from the shared store. */
@Injectable()
export class HistoryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
  ) {}

  async read(service: string): Promise<ServiceHistoryView> {
    const interval = this.config.adaptive.calculationIntervalMs;
    const { points, operations, services } = historyBounds(interval);
    const stored = await this.store.read(service);
    return {
      service,
      calculationIntervalSeconds: interval / 1000,
      bounds: { points, operations, services },
      points: stored.map((point) => ({ ...point, at: new Date(point.at).toISOString() })),
    };
  }
}
