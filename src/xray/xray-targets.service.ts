import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { formatProbability } from '../sampling/jaeger/format-probability';
import {
  type StatisticsDocument,
  XRayRequestError,
  validateRulesRequest,
  validateTargetsRequest,
} from '../sampling/xray/xray-requests';
import { type InstanceRates, type SamplingTargetsResponse, samplingTargets } from '../sampling/xray/xray-targets';
import { ANYONE, type Reporter, ReporterAuth } from '../ingest/reporter-auth';
import { ThroughputAccumulator } from '../ingest/throughput-accumulator';
import { IngestMetrics } from '../telemetry/ingest-metrics';
import { MetricsService } from '../telemetry/metrics.service';
import { InstanceHistory } from './instance-history';
import { XRayRulesSource } from './xray-rules.source';

/**
 * The X-Ray documents' use cases: rules from the current snapshot, and targets for an
 * instance's statistics, which are first counted as exact throughput (each document is what one
 * instance saw under one rule, every request counted), so X-Ray fleets are adapted like
 * reporters. Throws `XRayRequestError` before counting anything.
 */
@Injectable()
export class XRayTargetsService {
  private readonly history: InstanceHistory;
  private readonly intervalSeconds: number;
  /** With INGEST_TOKENS set, statistics count only from a token (unless trusted by config). */
  private readonly tokensRequired: boolean;

  constructor(
    private readonly auth: ReporterAuth,
    private readonly rules: XRayRulesSource,
    private readonly accumulator: ThroughputAccumulator,
    private readonly metrics: MetricsService,
    private readonly ingestMetrics: IngestMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.intervalSeconds = config.xrayTargetsIntervalMs / 1000;
    this.tokensRequired = config.ingestTokens.length > 0 && !config.xrayTrustUnauthenticated;
    this.history = new InstanceHistory(config.xrayTargetsIntervalMs);
  }

  rulesFor(body: unknown): Buffer {
    validateRulesRequest(body);
    return this.rules.serving.rulesJson;
  }

  /**
   * X-Ray SDKs send no credentials: where INGEST_TOKENS protects ingest, their statistics still
   * get targets but are counted only when something in front of them (a sidecar, a proxy) adds
   * a token, whose scope must include the rule's service.
   */
  targetsFor(body: unknown, nowMs = Date.now(), authorization?: string): SamplingTargetsResponse {
    let documents: StatisticsDocument[];
    try {
      documents = validateTargetsRequest(body);
    } catch (error) {
      if (error instanceof XRayRequestError) this.ingestMetrics.refused('xray', 'invalid');
      throw error;
    }
    const reporter = this.reporter(authorization, documents.length);
    const serving = this.rules.serving;
    let counted = 0;
    let overCap = 0;
    const rates = new Map<StatisticsDocument, InstanceRates>();
    for (const document of documents) {
      rates.set(document, this.history.observe(document, nowMs));
      const population = serving.populations.get(document.RuleName);
      if (!population) continue;
      // Rules name no service; the rule's fleet does (`*` for Default).
      this.metrics.servicePolled(population.service, 'xray', true, nowMs);
      if (document.RequestCount === 0) continue;
      if (!reporter) continue;
      if (!this.accumulator.accepting) {
        // Shutting down: the targets are still answered, but counts would miss the last flush.
        this.ingestMetrics.refused('xray', 'unavailable');
        continue;
      }
      if (!reporter.mayReport(population.service)) {
        this.ingestMetrics.refused('xray', 'forbidden');
        continue;
      }
      const probability = population.mode === 'ratelimiting' ? undefined : formatProbability(population.rate);
      // No outcomes: X-Ray statistics say nothing about errors.
      const added = this.accumulator.add(
        population.service,
        population.operation,
        Math.min(document.RequestCount, document.SampledCount),
        document.RequestCount,
        0,
        probability,
        document.RequestCount,
        0,
      );
      if (added) {
        counted++;
        if (reporter.name !== undefined) this.ingestMetrics.reportedBy(reporter.name, 'xray', population.service, 1);
      } else overCap++;
    }
    if (overCap > 0) this.ingestMetrics.refused('xray', 'over_cap', overCap);
    if (documents.length > 0) this.ingestMetrics.accepted('xray', 'http', counted);
    const answer = samplingTargets(
      documents,
      serving.populations,
      (document) => rates.get(document) ?? { requestsPerSecond: 0 },
      nowMs / 1000,
      serving.lastRuleModification,
      this.intervalSeconds,
    );
    const quotas = new Map(answer.SamplingTargetDocuments.map((target) => [target.RuleName, target.ReservoirQuota]));
    for (const document of documents) this.history.gave(document, quotas.get(document.RuleName) ?? 0);
    return answer;
  }

  /** Who may have these statistics counted; undefined when nobody (they are then only answered). */
  private reporter(authorization: string | undefined, documents: number): Reporter | undefined {
    if (!this.tokensRequired) return ANYONE;
    try {
      return this.auth.authenticate(authorization);
    } catch {
      if (documents > 0) this.ingestMetrics.refused('xray', 'unauthenticated', documents);
      return undefined;
    }
  }
}
