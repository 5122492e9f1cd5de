import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ServingModule } from '../serving/serving.module';
import { StrategyProvider } from '../serving/strategy-provider';
import { ANNOUNCER, type Announcer } from '../store/announcer';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { AdminModule } from '../admin/admin.module';
import { AuditController } from './audit.controller';
import { AuditLogService } from './audit-log.service';
import { PoliciesController } from './policies.controller';
import { PolicyDatabase } from './policy-database';
import { PolicyDatabaseHealth } from './policy-database.health';
import { ReadinessService } from '../telemetry/readiness.service';
import { PolicySync } from './policy-sync';
import { PolicyService } from './policy.service';

/**
 * Operator policies: their database (SQLite or PostgreSQL), the admin API over them with its
 * audit log, and their propagation into serving on every replica.
 *
 * The services are plain classes built here, not decorated ones: they hold the rules and the
 * database work, and tests build them directly on a real database without Nest.
 */
@Module({
  imports: [ServingModule, AdminModule],
  controllers: [PoliciesController, AuditController],
  providers: [
    {
      provide: PolicyDatabase,
      inject: [APP_CONFIG, APP_LOGGER],
      useFactory: (config: AppConfig, logger: AppLogger) => new PolicyDatabase(config, logger),
    },
    {
      provide: PolicySync,
      inject: [APP_CONFIG, APP_LOGGER, ANNOUNCER, PolicyDatabase, StrategyProvider],
      useFactory: (
        config: AppConfig,
        logger: AppLogger,
        announcer: Announcer,
        database: PolicyDatabase,
        provider: StrategyProvider,
      ) => new PolicySync(config, logger, announcer, database, provider),
    },
    {
      provide: PolicyService,
      inject: [PolicyDatabase, PolicySync],
      useFactory: (database: PolicyDatabase, sync: PolicySync) => new PolicyService(database, sync),
    },
    {
      provide: AuditLogService,
      inject: [PolicyDatabase],
      useFactory: (database: PolicyDatabase) => new AuditLogService(database),
    },
    {
      provide: PolicyDatabaseHealth,
      inject: [PolicyDatabase, ReadinessService],
      useFactory: (database: PolicyDatabase, readiness: ReadinessService) => {
        const health = new PolicyDatabaseHealth(database);
        readiness.register('database', { kind: health.backend, ping: () => health.ping() });
        return health;
      },
    },
  ],
  exports: [PolicySync, PolicyDatabaseHealth, PolicyService],
})
export class PoliciesModule {}
