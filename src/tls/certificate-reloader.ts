import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { APP_LOGGER, type AppLogger } from '../telemetry/logger';
import { TlsMetrics } from '../telemetry/tls-metrics';
import type { CertificateFiles, ReloadOutcome } from './certificate-files';

export const TLS_CERTIFICATES = Symbol('TLS_CERTIFICATES');

/**
 * Checks the TLS files every TLS_RELOAD_INTERVAL, so a rotated certificate (cert-manager
 * rewriting a Secret volume) reaches new connections without a restart. The timer only
 * triggers; `check` does the work, and tests call it directly.
 */
@Injectable()
export class CertificateReloader implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private lastFailure: string | undefined;

  constructor(
    @Optional() @Inject(TLS_CERTIFICATES) private readonly certificates: CertificateFiles | undefined,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly metrics: TlsMetrics,
  ) {}

  onModuleInit(): void {
    if (!this.certificates) return;
    this.metrics.serving(this.certificates.material.expiresAt);
    this.timer = setInterval(() => this.check(), this.certificates.files.reloadIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  check(): ReloadOutcome | undefined {
    if (!this.certificates) return undefined;
    const result = this.certificates.check();
    if (result.outcome === 'applied') {
      this.lastFailure = undefined;
      this.metrics.reloaded('applied');
      this.metrics.serving(this.certificates.material.expiresAt);
      this.logger.info({ expiresAt: new Date(this.certificates.material.expiresAt).toISOString() }, 'TLS certificate reloaded');
    } else if (result.outcome === 'failed') {
      this.metrics.reloaded('failed');
      // A rotation caught half-written fails once or twice; say so once per distinct reason.
      if (result.reason !== this.lastFailure) {
        this.logger.warn({ reason: result.reason }, 'TLS files changed but are not usable; serving the last good certificate');
        this.lastFailure = result.reason;
      }
    }
    return result;
  }
}
