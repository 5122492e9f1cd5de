import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from './metrics.service';

export type IngestSource = 'report' | 'otlp' | 'xray';
export type RejectReason =
  | 'invalid'
  | 'too_large'
  | 'unsupported_media_type'
  | 'no_service'
  | 'over_cap'
  | 'over_service_cap'
  | 'unauthenticated'
  | 'forbidden'
  | 'unavailable';
export type AuthRefusal = 'missing_token' | 'malformed_token' | 'invalid_token' | 'out_of_scope';

/** Metrics of what reporters and trace pipelines send. */
@Injectable()
export class IngestMetrics {
  private readonly documents: Counter<'source' | 'transport'>;
  private readonly operations: Counter<'source'>;
  private readonly spans: Counter;
  private readonly rejected: Counter<'source' | 'reason'>;
  private readonly authRefusals: Counter<'token' | 'reason'>;
  private readonly byToken: Counter<'token' | 'source' | 'service'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.documents = new Counter({
      name: 'samplane_ingest_documents_total',
      help: 'Throughput reports and OTLP exports accepted, by source and transport.',
      labelNames: ['source', 'transport'],
      registers,
    });
    this.operations = new Counter({
      name: 'samplane_ingest_operations_total',
      help: 'Operation counts absorbed (report entries, OTLP root spans).',
      labelNames: ['source'],
      registers,
    });
    this.spans = new Counter({
      name: 'samplane_ingest_root_spans_total',
      help: 'OTLP root spans counted.',
      registers,
    });
    this.rejected = new Counter({
      name: 'samplane_ingest_rejected_total',
      help: 'Documents or entries refused, by source and reason; nothing of them was counted.',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.authRefusals = new Counter({
      name: 'samplane_ingest_auth_refused_total',
      help: 'Reports and OTLP exports refused by INGEST_TOKENS, by token name ("" when none matched) and reason.',
      labelNames: ['token', 'reason'],
      registers,
    });
    this.byToken = new Counter({
      name: 'samplane_ingest_reported_total',
      help: 'Operation entries and root spans counted, by the ingest token that sent them and the service.',
      labelNames: ['token', 'source', 'service'],
      registers,
    });
    for (const source of ['report', 'otlp']) {
      for (const transport of ['http', 'grpc']) this.documents.labels(source, transport).inc(0);
      this.rejected.labels(source, 'invalid').inc(0);
    }
  }

  accepted(source: IngestSource, transport: 'http' | 'grpc', operations: number): void {
    this.documents.labels(source, transport).inc();
    this.operations.labels(source).inc(operations);
    if (source === 'otlp') this.spans.inc(operations);
  }

  refused(source: IngestSource, reason: RejectReason, count = 1): void {
    this.rejected.labels(source, reason).inc(count);
  }

  authRefused(token: string | undefined, reason: AuthRefusal): void {
    this.authRefusals.labels(token ?? '', reason).inc();
  }

  /** Only with INGEST_TOKENS set: one series per token and service it reported for. */
  reportedBy(token: string, source: IngestSource, service: string, count: number): void {
    this.byToken.labels(token, source, service).inc(count);
  }
}
