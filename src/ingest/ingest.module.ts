import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ServingModule } from '../serving/serving.module';
import { IngestGrpcService } from './ingest-grpc.service';
import { IngestService } from './ingest.service';
import { OtlpHttpRoutes } from './otlp/otlp-http.routes';
import { ReporterAuth } from './reporter-auth';
import { ThroughputController } from './throughput.controller';

@Module({
  imports: [EngineModule, ServingModule],
  controllers: [ThroughputController],
  providers: [IngestService, IngestGrpcService, OtlpHttpRoutes, ReporterAuth],
  exports: [ReporterAuth],
})
export class IngestModule {}
