import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { DashboardModule } from './dashboard/dashboard.module';
import { CLOCK, systemClock } from './engine/clock';
import { EngineModule } from './engine/engine.module';
import { ExplanationModule } from './explanation/explanation.module';
import { GrpcModule } from './grpc/grpc.module';
import { IngestModule } from './ingest/ingest.module';
import { PoliciesModule } from './policies/policies.module';
import { ServingModule } from './serving/serving.module';
import { StoreModule } from './store/store.module';
import { APP_LOGGER, type AppLogger } from './telemetry/logger';
import { TelemetryModule } from './telemetry/telemetry.module';
import type { CertificateFiles } from './tls/certificate-files';
import { TlsModule } from './tls/tls.module';
import { XRayModule } from './xray/xray.module';

/**
 * Configuration and the logger are made before Nest starts, so start-up errors can name them.
 * The clock is here too: the engine's timers and the embedded lease's expiry must share it.
 */
@Global()
@Module({})
class CoreModule {
  static with(config: AppConfig, logger: AppLogger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: logger },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [APP_CONFIG, APP_LOGGER, CLOCK],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: AppLogger, certificates?: CertificateFiles): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.with(config, logger),
        TelemetryModule,
        TlsModule.with(certificates),
        StoreModule,
        GrpcModule,
        ServingModule,
        EngineModule,
        IngestModule,
        PoliciesModule,
        ExplanationModule,
        XRayModule,
        DashboardModule,
      ],
    };
  }
}
