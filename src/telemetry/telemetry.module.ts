import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { DependencyMetrics } from './dependency-metrics';
import { EngineMetrics } from './engine-metrics';
import { IngestMetrics } from './ingest-metrics';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';

@Global()
@Module({
  controllers: [HealthController],
  providers: [MetricsService, EngineMetrics, IngestMetrics, ReadinessService, DependencyMetrics],
  exports: [MetricsService, EngineMetrics, IngestMetrics, ReadinessService],
})
export class TelemetryModule {}
