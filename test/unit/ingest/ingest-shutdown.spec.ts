import { loadConfig } from '../../../src/config/load-config';
import { ShuttingDownError } from '../../../src/errors/domain-error';
import { IngestService } from '../../../src/ingest/ingest.service';
import { ANYONE, ReporterAuth } from '../../../src/ingest/reporter-auth';
import { ThroughputAccumulator } from '../../../src/ingest/throughput-accumulator';
import { StrategyProvider } from '../../../src/serving/strategy-provider';
import { IngestMetrics } from '../../../src/telemetry/ingest-metrics';
import { MetricsService } from '../../../src/telemetry/metrics.service';
import { ManualClock } from '../../support/manual-clock';

// Nest's decorators are ES modules Jest cannot load here; the classes are built with `new`.
jest.mock('@nestjs/common', () => ({ Inject: () => () => undefined, Injectable: () => () => undefined }));

describe('IngestService while the replica shuts down', () => {
  function ingest() {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const metrics = new MetricsService();
    const ingestMetrics = new IngestMetrics(metrics);
    const accumulator = new ThroughputAccumulator(1_000, 5_000);
    const service = new IngestService(
      config,
      accumulator,
      new StrategyProvider(config, metrics),
      ingestMetrics,
      new ReporterAuth(config, ingestMetrics),
      new ManualClock(),
    );
    return { service, accumulator, metrics };
  }
  const report = { service: 'shop', windowSeconds: 1, operations: [{ operation: 'GET /cart', count: 10, sampled: 1 }] };
  const spans = {
    roots: [{ service: 'shop', operation: 'GET /cart', probability: 0.5, counts: true, error: false }],
    rejected: 0,
    rejectedReason: undefined,
  };

  it('refuses reports and spans as unavailable once Nest starts closing, and counts none of them', async () => {
    const { service, accumulator, metrics } = ingest();
    expect(service.acceptReport(report, 'http', ANYONE)).toBe(1);
    accumulator.drain();

    service.onModuleDestroy();

    for (const accept of [() => service.acceptReport(report, 'grpc', ANYONE), () => service.acceptSpans(spans, 'http', ANYONE)]) {
      let refused: unknown;
      try {
        accept();
      } catch (error) {
        refused = error;
      }
      // 503 / UNAVAILABLE: a reporter keeps its counts and sends them again, to another replica.
      expect(refused).toBeInstanceOf(ShuttingDownError);
      expect((refused as ShuttingDownError).kind).toBe('unavailable');
    }
    expect(accumulator.isEmpty).toBe(true);
    // The accumulator says so to every ingest path (X-Ray statistics skip counting on it).
    expect(accumulator.accepting).toBe(false);
    const text = await metrics.render();
    expect(text).toContain('samplane_ingest_rejected_total{source="report",reason="unavailable"} 1');
    expect(text).toContain('samplane_ingest_rejected_total{source="otlp",reason="unavailable"} 1');
  });
});
