import { Injectable } from '@nestjs/common';
import { ThroughputFlusher } from '../engine/throughput-flusher';
import { formatProbability } from '../sampling/jaeger/format-probability';
import { StrategyProvider } from '../serving/strategy-provider';
import { IngestMetrics } from '../telemetry/ingest-metrics';
import { INGEST_LIMITS } from './ingest-limits';
import { InvalidInputError } from './invalid-input.error';
import type { DecodedSpans } from './otlp/otlp-decode';
import { validateReport } from './report-validation';

export interface OtlpOutcome {
  rejectedSpans: number;
  errorMessage: string | undefined;
}

/**
 * Turns reports and span copies into counts. Validation happens here, at the service
 * boundary, so every transport gets it. A probability an SDK did not state is the one Samplane
 * served for that operation when the span was sampled: that is what makes adaptation work for
 * OpenTelemetry SDKs, which write no sampler tags.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly flusher: ThroughputFlusher,
    private readonly provider: StrategyProvider,
    private readonly metrics: IngestMetrics,
  ) {}

  /** Returns how many operation entries were accepted; throws `InvalidInputError` before counting anything. */
  acceptReport(document: unknown, transport: 'http' | 'grpc'): number {
    let report;
    try {
      report = validateReport(document);
    } catch (error) {
      if (error instanceof InvalidInputError) this.metrics.refused('report', 'invalid');
      throw error;
    }
    const served = this.provider.lookup(report.service);
    const accumulator = this.flusher.accumulator;
    let overCap = 0;
    for (const op of report.operations) {
      const probability = op.probability ?? served.rateFor(op.operation);
      const added = accumulator.add(
        report.service,
        op.operation,
        op.sampled,
        op.count,
        op.errors,
        probability === undefined ? undefined : formatProbability(probability),
        op.count,
        op.outcomes,
      );
      if (!added) overCap++;
    }
    if (overCap > 0) this.metrics.refused('report', 'over_cap', overCap);
    this.metrics.accepted('report', transport, report.operations.length - overCap);
    return report.operations.length - overCap;
  }

  acceptSpans(decoded: DecodedSpans, transport: 'http' | 'grpc'): OtlpOutcome {
    let rejected = decoded.rejected;
    let reason = decoded.rejectedReason;
    if (decoded.rejected > 0) this.metrics.refused('otlp', 'no_service', decoded.rejected);
    const accumulator = this.flusher.accumulator;
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
      // Untagged, it was sampled at what its SDK had last fetched when the span started, which
      // may be older than what is served now: the batch it came in can hold seconds of spans.
      const probability =
        span.probability ?? this.provider.lookupAt(span.service, now - (span.sampledAgoMs ?? 0)).rateFor(span.operation);
      const sampled = span.counts ? 1 : 0;
      // Each exported root span stands for 1/p requests when p is known.
      const requests = probability && probability > 0 ? 1 / probability : 1;
      const added = accumulator.add(
        span.service,
        span.operation,
        sampled,
        requests,
        // One outcome seen per span: the error rate is the errored share of the spans.
        span.error ? 1 : 0,
        probability === undefined ? undefined : formatProbability(probability),
        0,
        1,
      );
      if (added) counted++;
      else {
        rejected++;
        reason = 'operation cap reached for the service';
        this.metrics.refused('otlp', 'over_cap');
      }
    }
    this.metrics.accepted('otlp', transport, counted);
    return { rejectedSpans: rejected, errorMessage: rejected > 0 ? reason : undefined };
  }
}

/** Counted in characters, as report validation and the admin API count names. */
function tooLong(name: string, max: number): boolean {
  return name.length > max && [...name].length > max;
}
