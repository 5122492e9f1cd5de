import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ADMIN_THROTTLING } from './admin-throttling';
import { AdminAuthGuard } from './auth/admin-auth.guard';
import { AdminTokenVerifier } from './auth/admin-token-verifier';
import { OpenApiDocs } from './openapi-docs';
import { SessionController } from './session.controller';

/**
 * What every admin controller stands on, whichever module it is in: token verification and
 * the guard, rate limiting, and the OpenAPI document of them all.
 */
@Module({
  imports: [ThrottlerModule.forRoot(ADMIN_THROTTLING)],
  controllers: [SessionController],
  providers: [
    {
      provide: AdminTokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new AdminTokenVerifier(config.adminTokens),
    },
    AdminAuthGuard,
    OpenApiDocs,
  ],
  exports: [AdminTokenVerifier, AdminAuthGuard, ThrottlerModule],
})
export class AdminModule {}
