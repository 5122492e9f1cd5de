import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { reportWindowLimitMs } from './report-window';
import { ThroughputAccumulator } from './throughput-accumulator';

/**
 * This replica's counts between flushes: ingest (reports, OTLP, X-Ray statistics) adds to them
 * and the engine's flusher drains them. A module of its own so neither imports the other.
 */
@Module({
  providers: [
    {
      provide: ThroughputAccumulator,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ThroughputAccumulator(config.adaptive.maxOperations, reportWindowLimitMs(config)),
    },
  ],
  exports: [ThroughputAccumulator],
})
export class ThroughputAccumulatorModule {}
