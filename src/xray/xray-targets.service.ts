import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ThroughputFlusher } from '../engine/throughput-flusher';
import { formatProbability } from '../sampling/jaeger/format-probability';
import { type StatisticsDocument, validateRulesRequest, validateTargetsRequest } from '../sampling/xray/xray-requests';
import { type SamplingTargetsResponse, samplingTargets } from '../sampling/xray/xray-targets';
import { MetricsService } from '../telemetry/metrics.service';
import { XRayRulesSource } from './xray-rules.source';

/** Bounds the per-instance memory whatever clients send; stale entries are swept first. */
const MAX_TRACKED_INSTANCES = 100_000;

/**
 * The X-Ray documents' use cases: rules from the current snapshot, and targets for an
 * instance's statistics, which are first counted as exact throughput (each document is what one
 * instance saw under one rule, every request counted), so X-Ray fleets are adapted like
 * reporters. Throws `XRayRequestError` before counting anything.
 */
@Injectable()
export class XRayTargetsService {
  /** (client, rule) → when this replica last had its report: how long a report's counts took. */
  private readonly lastReports = new Map<string, number>();
  private readonly intervalSeconds: number;
  /** Reports older than this say nothing about an instance's current rate. */
  private readonly staleMs: number;

  constructor(
    private readonly rules: XRayRulesSource,
    private readonly flusher: ThroughputFlusher,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.intervalSeconds = config.xrayTargetsIntervalMs / 1000;
    this.staleMs = 3 * config.xrayTargetsIntervalMs;
  }

  rulesFor(body: unknown): Buffer {
    validateRulesRequest(body);
    return this.rules.serving.rulesJson;
  }

  targetsFor(body: unknown, nowMs = Date.now()): SamplingTargetsResponse {
    const documents = validateTargetsRequest(body);
    const serving = this.rules.serving;
    const accumulator = this.flusher.accumulator;
    const rates = new Map<StatisticsDocument, number>();
    for (const document of documents) {
      rates.set(document, this.requestsPerSecond(document, nowMs));
      const population = serving.populations.get(document.RuleName);
      if (!population) continue;
      // Rules name no service; the rule's fleet does (`*` for Default).
      this.metrics.servicePolled(population.service, 'xray', nowMs);
      if (document.RequestCount === 0) continue;
      const probability = population.mode === 'ratelimiting' ? undefined : formatProbability(population.rate);
      // No outcomes: X-Ray statistics say nothing about errors.
      accumulator.add(
        population.service,
        population.operation,
        Math.min(document.RequestCount, document.SampledCount),
        document.RequestCount,
        0,
        probability,
        document.RequestCount,
        0,
      );
    }
    return samplingTargets(documents, serving.populations, (d) => rates.get(d) ?? 0, nowMs / 1000, serving.lastRuleModification, this.intervalSeconds);
  }

  /**
   * An instance's requests per second under a rule: its count over the time since this replica
   * last heard from it, or over the interval X-Ray clients report at when this is the first
   * report here (a load balancer may have sent the previous one elsewhere).
   */
  private requestsPerSecond(document: StatisticsDocument, nowMs: number): number {
    const key = `${document.ClientID}\u0000${document.RuleName}`;
    const last = this.lastReports.get(key);
    if (this.lastReports.size >= MAX_TRACKED_INSTANCES && last === undefined) this.sweep(nowMs);
    this.lastReports.delete(key);
    this.lastReports.set(key, nowMs);
    const elapsedMs = last !== undefined && nowMs - last < this.staleMs ? Math.max(250, nowMs - last) : this.intervalSeconds * 1000;
    return document.RequestCount / (elapsedMs / 1000);
  }

  private sweep(nowMs: number): void {
    for (const [key, at] of this.lastReports) {
      if (nowMs - at < this.staleMs && this.lastReports.size < MAX_TRACKED_INSTANCES) break;
      this.lastReports.delete(key);
    }
  }
}
