import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  type CalculationRecord,
  HISTORY_STORE,
  type HistoryBounds,
  type HistoryStore,
  historyBounds,
} from '../store/history-store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { type TimeSlicer, UNSLICED, runInSlices } from '../common/time-slicer';
import { type CalculatedRound, historyPointSteps } from './history-points';

/** Writes each calculation's history; a failure is logged and never fails the calculation. */
@Injectable()
export class HistoryRecorder {
  private readonly bounds: HistoryBounds;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    this.bounds = historyBounds(config.adaptive.calculationIntervalMs);
  }

  async record(
    round: CalculatedRound,
    calculation: Omit<CalculationRecord, 'services' | 'operations'>,
    slicer: TimeSlicer = UNSLICED,
  ): Promise<void> {
    const points = await runInSlices(historyPointSteps(round, this.bounds), slicer);
    let operations = 0;
    for (const service of Object.values(round.probabilities)) operations += Object.keys(service).length;
    try {
      await this.store.record(points, { ...calculation, services: Object.keys(round.probabilities).length, operations }, slicer);
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'calculation history not written');
    }
  }
}
