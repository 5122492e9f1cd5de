import { Module } from '@nestjs/common';
import { ServingModule } from '../serving/serving.module';
import { IngestGrpcService } from './ingest-grpc.service';
import { IngestService } from './ingest.service';
import { OtlpHttpRoutes } from './otlp/otlp-http.routes';
import { ReportFastLane } from './report-fast-lane';
import { ReporterAuth } from './reporter-auth';
import { ThroughputAccumulatorModule } from './throughput-accumulator.module';
import { ThroughputController } from './throughput.controller';

@Module({
  imports: [ServingModule, ThroughputAccumulatorModule],
  controllers: [ThroughputController],
  providers: [IngestService, IngestGrpcService, OtlpHttpRoutes, ReporterAuth, ReportFastLane],
  exports: [ReporterAuth, ReportFastLane, ThroughputAccumulatorModule],
})
export class IngestModule {}
