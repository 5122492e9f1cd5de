import type { AWSXRayRemoteSampler } from '@opentelemetry/sampler-aws-xray';
import { SamplaneProcess } from '../support/samplane-process';
import { expectBinomial, seededRandom } from '../support/statistics';
import { waitFor } from '../support/wait';
import { type XRaySdkRule, decide, keptRules, otelXRaySampler, xraySdkCore } from '../support/xray-clients';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath } from './policies-http';

const DECISIONS = 10_000;

/**
 * The real X-Ray samplers against Samplane: `aws-xray-sdk-core` through its daemon address
 * (here the XRAY_PORT listener) and OpenTelemetry's X-Ray remote sampler through `endpoint`
 * (here HTTP_PORT). A pinned policy reaches both as a rule with its rate.
 */
describe('X-Ray SDKs against Samplane', () => {
  let samplane: SamplaneProcess;
  let xrayPort: number;
  let operator: AdminClient;
  const samplers: AWSXRayRemoteSampler[] = [];

  beforeAll(async () => {
    const { freePort } = await import('../support/ports');
    xrayPort = await freePort();
    samplane = await SamplaneProcess.start({ ADMIN_TOKENS, XRAY_PORT: String(xrayPort), POLICY_RELOAD_INTERVAL: '200ms' });
    operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    await pin('billing', 0.3);
  });

  afterAll(async () => {
    samplers.forEach((sampler) => sampler.stopPollers());
    await samplane?.stop();
  });

  async function pin(service: string, samplingRate: number): Promise<void> {
    const answer = await operator.put(policyPath(service), { mode: 'probabilistic', samplingRate });
    if (answer.status >= 300) throw new Error(`PUT ${service}: ${answer.status} ${answer.text}`);
    await waitFor(async () => {
      const response = await fetch(`${samplane.url}/GetSamplingRules`, { method: 'POST' });
      const rules = ((await response.json()) as { SamplingRuleRecords: Array<{ SamplingRule: { ServiceName: string; FixedRate: number } }> })
        .SamplingRuleRecords;
      return rules.some((r) => r.SamplingRule.ServiceName === service && r.SamplingRule.FixedRate === samplingRate);
    }, `the rule for ${service} at ${samplingRate}`);
  }

  it('aws-xray-sdk-core keeps every rule, Default at 10000 and the pinned service at its rate', async () => {
    const { connector } = xraySdkCore(xrayPort);
    const rules = await new Promise<XRaySdkRule[]>((resolve, reject) =>
      connector.fetchSamplingRules((error, fetched) => (error ? reject(error) : resolve(fetched ?? []))),
    );
    const served = (await (await fetch(`${samplane.url}/GetSamplingRules`, { method: 'POST', body: '{}' })).json()) as {
      SamplingRuleRecords: unknown[];
    };
    // The SDK silently drops a rule it finds invalid: every one served must be kept.
    expect(rules).toHaveLength(served.SamplingRuleRecords.length);
    const byName = new Map(rules.map((rule) => [rule.getName(), rule]));
    expect(byName.get('Default')?.priority).toBe(10000);
    expect(byName.get('billing')?.getRate()).toBe(0.3);
  });

  it('aws-xray-sdk-core samples the pinned service at 0.3 and gets numeric targets back', async () => {
    const { sampler, connector } = xraySdkCore(xrayPort);
    // Its first decision starts the pollers; the rules arrive a moment later.
    sampler.shouldSample({ serviceName: 'billing', httpMethod: 'GET', urlPath: '/', host: 'x' });
    await waitFor(() => sampler.ruleCache.getRules().some((rule) => rule.getName() === 'billing'), 'the SDK to load the rules');
    let sampled = 0;
    for (let i = 0; i < DECISIONS; i++) {
      if (sampler.shouldSample({ serviceName: 'billing', httpMethod: 'GET', urlPath: '/orders', host: 'x' })) sampled++;
    }
    expectBinomial(sampled, DECISIONS, 0.3, 'aws-xray-sdk-core on billing');
    const targets = await new Promise<{ targets: Record<string, unknown>; freshness: number }>((resolve, reject) =>
      connector.fetchTargets(sampler.ruleCache.getRules().filter((rule) => rule.getName() === 'billing'), (error, t, freshness) =>
        error ? reject(error) : resolve({ targets: t ?? {}, freshness: freshness ?? Number.NaN }),
      ),
    );
    expect(targets.targets.billing).toMatchObject({ rate: 0.3, interval: 10 });
  });

  it('aws-xray-sdk-core, which lets quotas lapse, gets its share through FixedRate instead', async () => {
    const service = 'legacy';
    const answer = await operator.put(policyPath(service), { mode: 'adaptive', targetSamplesPerSecond: 5, minSamplingProbability: 0.01 });
    if (answer.status >= 300) throw new Error(answer.text);
    const { sampler, connector } = xraySdkCore(xrayPort);
    // What the SDK's rule poller does every 5 minutes, done now: fetch the rules, load them.
    await waitFor(async () => {
      const fetched = await new Promise<XRaySdkRule[]>((resolve, reject) =>
        connector.fetchSamplingRules((error, rules) => (error ? reject(error) : resolve(rules ?? []))),
      );
      sampler.ruleCache.loadRules(fetched);
      sampler.ruleCache.timestamp(Math.floor(Date.now() / 1000));
      return sampler.ruleCache.getRules().some((rule) => rule.getName() === service);
    }, 'the SDK to load the rule for legacy');
    const rule = () => sampler.ruleCache.getRules().filter((r) => r.getName() === service);
    const decideMany = (n: number) => {
      let sampled = 0;
      for (let i = 0; i < n; i++) if (sampler.shouldSample({ serviceName: service, httpMethod: 'GET', urlPath: '/', host: 'x' })) sampled++;
      return sampled;
    };
    const targets = () =>
      new Promise<Record<string, { rate: number; quota: number; TTL: number }>>((resolve, reject) =>
        connector.fetchTargets(rule(), (error, mapping) =>
          error ? reject(error) : resolve(mapping as Record<string, { rate: number; quota: number; TTL: number }>),
        ),
      );
    decideMany(5_000);
    // First report: 500 requests/s over the interval at p = 0.01 owes 5 traces/s, all reservoir.
    const first = await targets();
    expect(first[service]).toMatchObject({ quota: 5, rate: 0 });
    // The SDK reads the TTL as milliseconds: the quota is stale for it the moment it loads it,
    // so it borrows instead of taking from the reservoir.
    expect(first[service].TTL).toBeLessThan(Date.now() / 1000);
    sampler.ruleCache.loadTargets(first);
    // The SDK borrows at most once per wall-clock second: decide in a second it has not used.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 10));
    decideMany(5_000);
    const second = await targets();
    expect(second[service].quota ?? 0).toBe(0);
    expect(second[service].rate).toBeGreaterThan(0.005);
    sampler.ruleCache.loadTargets(second);
    const sampled = decideMany(20_000);
    // Its share, 1 % of its requests, now comes from FixedRate (plus at most a borrow a second).
    expectBinomial(sampled, 20_000, 0.01, 'aws-xray-sdk-core on an adaptive rule');
  });

  it('the OTel X-Ray sampler samples the pinned service at 0.3 ± 0.03', async () => {
    const sampler = otelXRaySampler(samplane.url, 'billing');
    samplers.push(sampler);
    await waitFor(() => keptRules(sampler).some((rule) => rule.RuleName === 'billing'), 'the sampler to keep the rules');
    const sampled = decide(sampler, DECISIONS, seededRandom(7));
    expectBinomial(sampled, DECISIONS, 0.3, 'OTel X-Ray sampler on billing');
    expect(Math.abs(sampled / DECISIONS - 0.3)).toBeLessThanOrEqual(0.03);
  });

  it('a policy change reaches the OTel X-Ray sampler through LastRuleModification', async () => {
    const sampler = otelXRaySampler(samplane.url, 'reports');
    samplers.push(sampler);
    await pin('reports', 0.2);
    await waitFor(() => keptRules(sampler).some((r) => r.RuleName === 'reports' && r.FixedRate === 0.2), 'the rule at 0.2', 20_000);
    expectBinomial(decide(sampler, DECISIONS, seededRandom(8)), DECISIONS, 0.2, 'reports at 0.2');
    await pin('reports', 0.6);
    // Its next targets answer carries a newer LastRuleModification, so it fetches the rules again.
    await waitFor(() => keptRules(sampler).some((r) => r.RuleName === 'reports' && r.FixedRate === 0.6), 'the rule at 0.6', 30_000);
    expectBinomial(decide(sampler, DECISIONS, seededRandom(9)), DECISIONS, 0.6, 'reports at 0.6');
  }, 90_000);
});
