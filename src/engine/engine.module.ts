import { Module } from '@nestjs/common';
import { ThroughputAccumulatorModule } from '../ingest/throughput-accumulator.module';
import { ServingModule } from '../serving/serving.module';
import { CalculationScheduler } from './calculation.scheduler';
import { CalculationService } from './calculation.service';
import { CALCULATION } from './calculation-ports';
import { CalculationThread } from './calculation-thread/calculation-thread';
import { HistoryRecorder } from './history-recorder';
import { LeaderElector } from './leader-elector';
import { REPLICA_ID, replicaId } from './replica-identity';
import { ThroughputFlusher } from './throughput-flusher';

/** The adaptive engine; its timers run on the global CLOCK, so tests can drive them by hand. */
@Module({
  imports: [ServingModule, ThroughputAccumulatorModule],
  providers: [
    { provide: REPLICA_ID, useFactory: replicaId },
    ThroughputFlusher,
    LeaderElector,
    HistoryRecorder,
    CalculationService,
    CalculationThread,
    {
      provide: CALCULATION,
      inject: [CalculationThread, CalculationService],
      useFactory: (thread: CalculationThread, here: CalculationService) => (thread.enabled ? thread : here),
    },
    CalculationScheduler,
  ],
  exports: [LeaderElector, REPLICA_ID],
})
export class EngineModule {}
