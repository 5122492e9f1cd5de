import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath } from './policies-http';

const SHOP_TOKEN = 'shop-token-4a7c1e9d';
const OPS_TOKEN = 'ops-token-8b2f6d31';
const INGEST_TOKENS = `team-shop:${SHOP_TOKEN}:shop*,ops:${OPS_TOKEN}`;

/**
 * X-Ray SDKs send no credentials. Where INGEST_TOKENS protects ingest, their statistics still get
 * targets, but only a token in front of them (a sidecar or proxy adding `Authorization`) has them
 * counted, within its scope; nothing else can drive a service's rate through SamplingTargets.
 */
describe('X-Ray statistics under INGEST_TOKENS', () => {
  let samplane: SamplaneProcess;
  let viewer: AdminClient;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADMIN_TOKENS,
      INGEST_TOKENS,
      ADAPTIVE_CALCULATION_INTERVAL: '1s',
      ADAPTIVE_DELAY: '0s',
    });
    viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    for (const service of ['shop-web', 'payments', 'other']) {
      expect((await operator.put(policyPath(service), { mode: 'adaptive', targetSamplesPerSecond: 2 })).status).toBe(201);
    }
    await waitFor(async () => (await rulesText()).includes('"payments"'), 'rules for the policies');
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  async function rulesText(): Promise<string> {
    return (await fetch(`${samplane.url}/GetSamplingRules`, { method: 'POST' })).text();
  }

  async function targets(rule: string, token?: string) {
    const body = JSON.stringify({
      SamplingStatisticsDocuments: [
        { RuleName: rule, ClientID: '0123456789abcdef01234567', Timestamp: Math.floor(Date.now() / 1000), RequestCount: 1000, SampledCount: 10, BorrowCount: 0 },
      ],
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
    const response = await fetch(`${samplane.url}/SamplingTargets`, { method: 'POST', body, headers });
    return { status: response.status, json: (await response.json()) as { SamplingTargetDocuments: unknown[] } };
  }

  const ruleOf = async (service: string) => {
    const rules = JSON.parse(await rulesText()) as { SamplingRuleRecords: Array<{ SamplingRule: { RuleName: string; ServiceName: string } }> };
    const rule = rules.SamplingRuleRecords.find((r) => r.SamplingRule.ServiceName === service)?.SamplingRule.RuleName;
    if (!rule) throw new Error(`no rule for ${service}`);
    return rule;
  };

  /** Each service's requests per second in the last calculation; none while the admin API refuses. */
  const rates = async () => {
    const list = (await viewer.get('/api/v1/services?limit=100')).body as { items?: Array<{ service: string; requestsPerSecond: number }> };
    return new Map((list.items ?? []).map((item) => [item.service, item.requestsPerSecond]));
  };

  it('answers without a token but counts only what a token in scope sent', async () => {
    const [shop, payments, other] = await Promise.all(['shop-web', 'payments', 'other'].map(ruleOf));
    // Answered (the SDK keeps working), not counted: no token, a wrong one, out of scope.
    for (const [rule, token] of [[payments, undefined], [payments, 'not-a-token-at-all'], [payments, SHOP_TOKEN]] as const) {
      const answer = await targets(rule, token);
      expect([rule, token, answer.status, answer.json.SamplingTargetDocuments.length]).toEqual([rule, token, 200, 1]);
    }
    // Counted: in scope, and a token without a scope. A single call's traffic shows in one 1 s
    // calculation (or in a new leader's history, which no calculation shows as traffic), so each
    // try sends them again; what each calculation showed is kept.
    let sent = 0;
    const send = async () => {
      expect((await targets(shop, SHOP_TOKEN)).status).toBe(200);
      expect((await targets(other, OPS_TOKEN)).status).toBe(200);
      sent++;
    };
    await send();
    const seen = new Map<string, number>();
    await waitFor(
      async () => {
        for (const [service, rate] of await rates()) seen.set(service, Math.max(seen.get(service) ?? 0, rate));
        if ((seen.get('shop-web') ?? 0) > 0 && (seen.get('other') ?? 0) > 0) return true;
        await send();
        return false;
      },
      'the accepted statistics to be counted',
      15_000,
      250,
    );
    expect(seen.get('payments') ?? 0).toBe(0);
    expect(await samplane.metric('samplane_ingest_rejected_total', { source: 'xray', reason: 'unauthenticated' })).toBe(2);
    expect(await samplane.metric('samplane_ingest_rejected_total', { source: 'xray', reason: 'forbidden' })).toBe(1);
    expect(await samplane.metric('samplane_ingest_reported_total', { token: 'team-shop', source: 'xray', service: 'shop-web' })).toBe(sent);
  });
});
