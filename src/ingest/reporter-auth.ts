import { Inject, Injectable } from '@nestjs/common';
import { bearerToken } from '../auth/bearer';
import { TokenRing } from '../auth/token-ring';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { PermissionDeniedError, UnauthenticatedError } from '../errors/domain-error';
import { IngestMetrics } from '../telemetry/ingest-metrics';
import { scopeMatcher } from './service-scope';

/** Who sent a document: a token's name, or nobody when INGEST_TOKENS is unset. */
export interface Reporter {
  readonly name: string | undefined;
  mayReport(service: string): boolean;
}

/** Anyone, while INGEST_TOKENS is unset. */
export const ANYONE: Reporter = { name: undefined, mayReport: () => true };

/**
 * INGEST_TOKENS: every report and OTLP export names its sender with a bearer token, compared in
 * constant time and never logged. Unset, ingest stays open.
 */
@Injectable()
export class ReporterAuth {
  private readonly ring: TokenRing<Reporter>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: IngestMetrics,
  ) {
    this.ring = new TokenRing(
      config.ingestTokens.map(({ name, token, scope }) => ({
        token,
        holder: { name, mayReport: scope ? scopeMatcher(scope) : () => true },
      })),
    );
  }

  /** The sender of `authorization` (a header or metadata value); throws UnauthenticatedError. */
  authenticate(authorization: string | undefined): Reporter {
    if (this.ring.size === 0) return ANYONE;
    let reporter: Reporter | undefined;
    try {
      reporter = this.ring.find(bearerToken(authorization));
    } catch (error) {
      this.metrics.authRefused(undefined, authorization === undefined ? 'missing_token' : 'malformed_token');
      throw error;
    }
    if (!reporter) {
      this.metrics.authRefused(undefined, 'invalid_token');
      throw new UnauthenticatedError('invalid token', 'invalid_token');
    }
    return reporter;
  }

  /** Throws PermissionDeniedError unless `reporter` may report for every one of `services`. */
  authorize(reporter: Reporter, services: Iterable<string>): void {
    for (const service of services) {
      if (reporter.mayReport(service)) continue;
      this.metrics.authRefused(reporter.name, 'out_of_scope');
      throw new PermissionDeniedError(`token "${reporter.name}" may not report for service ${JSON.stringify(service)}`);
    }
  }
}
