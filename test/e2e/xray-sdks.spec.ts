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
