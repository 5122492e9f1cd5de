import { Module } from '@nestjs/common';
import { ProbabilitiesSync } from './probabilities-sync';
import { SamplingGrpcService } from './sampling-grpc.service';
import { SamplingHttpRoutes } from './sampling-http.routes';
import { StrategiesFileSource } from './strategies-file.source';
import { StrategyProvider } from './strategy-provider';

@Module({
  providers: [StrategyProvider, StrategiesFileSource, ProbabilitiesSync, SamplingHttpRoutes, SamplingGrpcService],
  exports: [StrategyProvider, ProbabilitiesSync],
})
export class ServingModule {}
