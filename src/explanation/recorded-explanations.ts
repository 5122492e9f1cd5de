import { Inject, Injectable } from '@nestjs/common';
import type { RecordedExplanation } from '../store/explanation-codec';
import { SAMPLING_STORE, type SamplingStore } from '../store/store';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';

/**
 * A service's recorded traffic and calculation inputs, read from the store when a view asks:
 * replicas do not hold every operation's explanation, only what they serve. Without the store
 * a view still answers, without the inputs.
 */
@Injectable()
export class RecordedExplanations {
  constructor(
    @Inject(SAMPLING_STORE) private readonly store: SamplingStore,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  async of(service: string): Promise<RecordedExplanation | undefined> {
    try {
      return (await this.store.loadExplanations([service])).get(service);
    } catch (error) {
      this.logger.warn({ service, reason: (error as Error).message }, 'recorded explanation not readable; answering without it');
      return undefined;
    }
  }
}
