import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../engine/clock';
import { formatProbabilityCached } from '../sampling/jaeger/format-probability';
import { StrategyProvider } from '../serving/strategy-provider';
import { IngestMetrics } from '../telemetry/ingest-metrics';
import { INGEST_LIMITS } from './ingest-limits';
import { FieldError, ShuttingDownError } from '../errors/domain-error';
import type { DecodedSpans } from './otlp/otlp-decode';
import { validateReport } from './report-validation';
import { type Reporter, ReporterAuth } from './reporter-auth';
import { ServiceCap } from './service-cap';
import { ThroughputAccumulator } from './throughput-accumulator';

export interface OtlpOutcome {
  rejectedSpans: number;
  errorMessage: string | undefined;
}

/**
 * Turns reports and span copies into counts. Authentication and validation happen here, at
 * the service boundary, so every transport gets them: a transport first asks `authenticate`
 * for the `Reporter` that accepting requires. A probability an SDK did not state is the one
 * Samplane served for that operation when the span was sampled: that is what makes adaptation
 * work for OpenTelemetry SDKs, which write no sampler tags.
 */
@Injectable()
export class IngestService implements OnModuleDestroy {
  private readonly services: ServiceCap;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly accumulator: ThroughputAccumulator,
    private readonly provider: StrategyProvider,
    private readonly metrics: IngestMetrics,
    private readonly auth: ReporterAuth,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.services = new ServiceCap(config.maxServices, provider);
  }

  /**
   * Shutting down: counts taken from now on would miss the last flush (Nest runs this before
   * any shutdown hook), so reports and spans are refused with 503 / UNAVAILABLE, which
   * reporters retry, rather than accepted and lost. Polls are still answered.
   */
  onModuleDestroy(): void {
    this.accumulator.stopAccepting();
  }

  /** Who sent a document, from its `authorization` header or metadata; throws `UnauthenticatedError`. */
  authenticate(source: 'report' | 'otlp', authorization: string | undefined): Reporter {
    try {
      return this.auth.authenticate(authorization);
    } catch (error) {
      this.metrics.refused(source, 'unauthenticated');
      throw error;
    }
  }

  /**
   * Returns how many operation entries were accepted; throws `FieldError` (or
   * `PermissionDeniedError` for a service outside the reporter's scope) before counting anything.
   */
  acceptReport(document: unknown, transport: 'http' | 'grpc', reporter: Reporter): number {
    this.refuseWhenClosing('report');
    let report;
    try {
      report = validateReport(document);
    } catch (error) {
      if (error instanceof FieldError) this.metrics.refused('report', 'invalid');
      throw error;
    }
    this.authorize('report', reporter, [report.service]);
    if (!this.services.admits(report.service)) {
      this.metrics.refused('report', 'over_service_cap', report.operations.length);
      return 0;
    }
    const served = this.provider.lookup(report.service);
    // The report's window ends as it arrives, whenever the flush that takes it comes.
    const windowEndMs = this.clock.now();
    let overCap = 0;
    for (const op of report.operations) {
      const probability = op.probability ?? served.rates.rateFor(op.operation);
      const added = this.accumulator.add(
        report.service,
        op.operation,
        op.sampled,
        op.count,
        op.errors,
        probability === undefined ? undefined : formatProbabilityCached(probability),
        op.count,
        op.outcomes,
        (report.windowSeconds ?? 0) * 1000,
        windowEndMs,
      );
      if (!added) overCap++;
    }
    if (overCap > 0) this.metrics.refused('report', 'over_cap', overCap);
    const accepted = report.operations.length - overCap;
    this.metrics.accepted('report', transport, accepted);
    if (reporter.name !== undefined) this.metrics.reportedBy(reporter.name, 'report', report.service, accepted);
    return accepted;
  }

  /**
   * Counts the root spans of one export. A span outside the reporter's scope refuses the whole
   * export (`PermissionDeniedError`): a scoped token exporting others' spans is a misconfigured
   * pipeline, and counting part of it would hide that.
   */
  acceptSpans(decoded: DecodedSpans, transport: 'http' | 'grpc', reporter: Reporter): OtlpOutcome {
    this.refuseWhenClosing('otlp');
    this.authorize('otlp', reporter, new Set(decoded.roots.map((span) => span.service)));
    const byService = new Map<string, number>();
    let rejected = decoded.rejected;
    let reason = decoded.rejectedReason;
    if (decoded.rejected > 0) this.metrics.refused('otlp', 'no_service', decoded.rejected);
    const now = Date.now();
    let counted = 0;
    for (const span of decoded.roots) {
      if (tooLong(span.service, INGEST_LIMITS.maxServiceLength) || tooLong(span.operation, INGEST_LIMITS.maxOperationLength)) {
        rejected++;
        reason = 'service or span name too long';
        this.metrics.refused('otlp', 'invalid');
        continue;
      }
      if (span.operation === '') {
        rejected++;
        reason = 'span name is empty';
        this.metrics.refused('otlp', 'invalid');
        continue;
      }
      if (!this.services.admits(span.service)) {
        rejected++;
        reason = 'service cap reached';
        this.metrics.refused('otlp', 'over_service_cap');
        continue;
      }
      // Untagged, it was sampled at what its SDK had last fetched when the span started, which
      // may be older than what is served now: the batch it came in can hold seconds of spans.
      const probability =
        span.probability ?? this.provider.lookupAt(span.service, now - (span.sampledAgoMs ?? 0)).rateFor(span.operation);
      const sampled = span.counts ? 1 : 0;
      // Each exported root span stands for 1/p requests when p is known.
      const requests = probability && probability > 0 ? 1 / probability : 1;
      const added = this.accumulator.add(
        span.service,
        span.operation,
        sampled,
        requests,
        // One outcome seen per span: the error rate is the errored share of the spans.
        span.error ? 1 : 0,
        probability === undefined ? undefined : formatProbabilityCached(probability),
        0,
        1,
      );
      if (added) {
        counted++;
        byService.set(span.service, (byService.get(span.service) ?? 0) + 1);
      } else {
        rejected++;
        reason = 'operation cap reached for the service';
        this.metrics.refused('otlp', 'over_cap');
      }
    }
    this.metrics.accepted('otlp', transport, counted);
    if (reporter.name !== undefined) {
      for (const [service, spans] of byService) this.metrics.reportedBy(reporter.name, 'otlp', service, spans);
    }
    return { rejectedSpans: rejected, errorMessage: rejected > 0 ? reason : undefined };
  }

  private refuseWhenClosing(source: 'report' | 'otlp'): void {
    if (this.accumulator.accepting) return;
    this.metrics.refused(source, 'unavailable');
    throw new ShuttingDownError('this replica is shutting down: send again, to another replica');
  }

  private authorize(source: 'report' | 'otlp', reporter: Reporter, services: Iterable<string>): void {
    try {
      this.auth.authorize(reporter, services);
    } catch (error) {
      this.metrics.refused(source, 'forbidden');
      throw error;
    }
  }
}

/** Counted in characters, as report validation and the admin API count names. */
function tooLong(name: string, max: number): boolean {
  return name.length > max && [...name].length > max;
}
