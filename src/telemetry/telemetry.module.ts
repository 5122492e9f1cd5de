import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { DependencyMetrics } from './dependency-metrics';
import { EngineMetrics } from './engine-metrics';
import { IngestMetrics } from './ingest-metrics';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';
import { TlsMetrics } from './tls-metrics';

@Global()
@Module({
  controllers: [HealthController],
  providers: [MetricsService, EngineMetrics, IngestMetrics, ReadinessService, TlsMetrics, DependencyMetrics],
  exports: [MetricsService, EngineMetrics, IngestMetrics, ReadinessService, TlsMetrics],
})
export class TelemetryModule {}
