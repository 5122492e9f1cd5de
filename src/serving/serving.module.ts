import { Module } from '@nestjs/common';
import { ENGINE_SETTINGS } from '../engine/engine-settings';
import { AnnouncementListener } from './announcement-listener';
import { ProbabilitiesSync } from './probabilities-sync';
import { SamplingGrpcService } from './sampling-grpc.service';
import { SamplingHttpRoutes } from './sampling-http.routes';
import { StrategiesFileSource } from './strategies-file.source';
import { StrategyProvider } from './strategy-provider';

@Module({
  providers: [
    StrategyProvider,
    { provide: ENGINE_SETTINGS, useExisting: StrategyProvider },
    StrategiesFileSource,
    ProbabilitiesSync,
    AnnouncementListener,
    SamplingHttpRoutes,
    SamplingGrpcService,
  ],
  exports: [StrategyProvider, ENGINE_SETTINGS, ProbabilitiesSync],
})
export class ServingModule {}
