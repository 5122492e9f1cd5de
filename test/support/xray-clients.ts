import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { createRequire } from 'node:module';
import { randomTraceId } from './statistics';

/** The parts of aws-xray-sdk-core's centralized sampler the tests drive (it ships no types for them). */
export interface XRaySdkRule {
  getName(): string;
  getRate(): number;
  priority: number;
  reservoir?: unknown;
}
export interface XRaySdkSampler {
  shouldSample(request: { host?: string; httpMethod?: string; urlPath?: string; serviceName: string; serviceType?: string }): string | false;
  ruleCache: {
    getRules(): XRaySdkRule[];
    loadRules(rules: XRaySdkRule[]): void;
    /** Marks the rules fresh (epoch seconds); the SDK's poller calls it after loading them. */
    timestamp(nowSeconds: number): void;
    loadTargets(targets: Record<string, unknown>): void;
  };
}
export interface XRaySdkConnector {
  fetchSamplingRules(callback: (error: Error | null, rules?: XRaySdkRule[]) => void): void;
  fetchTargets(rules: XRaySdkRule[], callback: (error: Error | null, targets?: Record<string, unknown>, freshness?: number) => void): void;
}

/** aws-xray-sdk-core, unmodified, pointed at `port` the way users do (its daemon address). */
export function xraySdkCore(port: number): { sampler: XRaySdkSampler; connector: XRaySdkConnector } {
  const load = createRequire(__filename);
  const sdk = load('aws-xray-sdk-core') as {
    setDaemonAddress(address: string): void;
    middleware: { sampler: XRaySdkSampler };
  };
  sdk.setDaemonAddress(`tcp:127.0.0.1:${port} udp:127.0.0.1:${port}`);
  const connector = load('aws-xray-sdk-core/dist/lib/middleware/sampling/service_connector') as XRaySdkConnector;
  return { sampler: sdk.middleware.sampler, connector };
}

interface RuleApplier {
  samplingRule: { RuleName: string; FixedRate: number; Priority: number };
  reservoirSampler: { quota: number };
  borrowingEnabled: boolean;
}

function appliers(sampler: AWSXRayRemoteSampler): RuleApplier[] {
  const internal = (sampler as unknown as { internalXraySampler: { ruleCache: { ruleAppliers: RuleApplier[] } } })
    .internalXraySampler;
  return internal.ruleCache.ruleAppliers;
}

/** The OTel X-Ray remote sampler's rule cache, to see which rules it kept. */
export function keptRules(sampler: AWSXRayRemoteSampler): Array<RuleApplier['samplingRule']> {
  return appliers(sampler).map((applier) => applier.samplingRule);
}

/** The reservoir quota the sampler holds for a rule, once a target gave it one (else undefined). */
export function heldQuota(sampler: AWSXRayRemoteSampler, ruleName: string): number | undefined {
  const applier = appliers(sampler).find((a) => a.samplingRule.RuleName === ruleName);
  // It borrows until its first target arrives.
  return applier && !applier.borrowingEnabled ? applier.reservoirSampler.quota : undefined;
}

export function otelXRaySampler(endpoint: string, serviceName: string): AWSXRayRemoteSampler {
  return new AWSXRayRemoteSampler({
    endpoint,
    // Longer than any test: new rules must arrive through LastRuleModification, not a timer.
    pollingInterval: 3600,
    resource: resourceFromAttributes({ 'service.name': serviceName }),
  });
}

/** Root-span decisions of an HTTP server span; returns how many were sampled. */
export function decide(
  sampler: AWSXRayRemoteSampler,
  count: number,
  random: () => number,
  attributes: Record<string, string> = { 'http.request.method': 'GET', 'url.path': '/' },
): number {
  let sampled = 0;
  for (let i = 0; i < count; i++) {
    const result = sampler.shouldSample(ROOT_CONTEXT, randomTraceId(random), 'GET /', SpanKind.SERVER, attributes, []);
    if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled;
}
