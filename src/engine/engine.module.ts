import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ServingModule } from '../serving/serving.module';
import { AnnouncementListener } from './announcement-listener';
import { CalculationScheduler } from './calculation.scheduler';
import { CalculationService } from './calculation.service';
import { CLOCK, systemClock } from './clock';
import { HistoryRecorder } from './history-recorder';
import { LeaderElector } from './leader-elector';
import { REPLICA_ID, replicaId } from './replica-identity';
import { ThroughputFlusher } from './throughput-flusher';

@Module({
  imports: [ScheduleModule.forRoot(), ServingModule],
  providers: [
    { provide: CLOCK, useValue: systemClock },
    { provide: REPLICA_ID, useFactory: replicaId },
    ThroughputFlusher,
    LeaderElector,
    HistoryRecorder,
    CalculationService,
    CalculationScheduler,
    AnnouncementListener,
  ],
  exports: [ThroughputFlusher, CLOCK, LeaderElector, REPLICA_ID],
})
export class EngineModule {}
