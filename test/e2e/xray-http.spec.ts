import { freePort } from '../support/ports';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath } from './policies-http';

const CLIENT = '0123456789abcdef01234567';

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

/** Both X-Ray documents over plain HTTP, including what no SDK sends. */
describe('X-Ray endpoints over HTTP', () => {
  let samplane: SamplaneProcess;
  let xrayPort: number;

  beforeAll(async () => {
    xrayPort = await freePort();
    samplane = await SamplaneProcess.start({
      ADMIN_TOKENS,
      XRAY_PORT: String(xrayPort),
      ADAPTIVE_CALCULATION_INTERVAL: '1s',
      ADAPTIVE_DELAY: '0s',
      POLICY_RELOAD_INTERVAL: '200ms',
    });
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    for (const service of ['alpha', 'beta']) {
      const answer = await operator.put(policyPath(service), { mode: 'adaptive', targetSamplesPerSecond: 2 });
      if (answer.status >= 300) throw new Error(answer.text);
    }
    await waitFor(async () => JSON.stringify((await post('/GetSamplingRules')).json).includes('"beta"'), 'rules for the policies');
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  async function post(path: string, body?: string, headers: Record<string, string> = {}, port = samplane.httpPort): Promise<Answer> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  const statistics = (rule: string, overrides: Record<string, unknown> = {}) => ({
    RuleName: rule,
    ClientID: CLIENT,
    Timestamp: Math.floor(Date.now() / 1000),
    RequestCount: 1000,
    SampledCount: 10,
    BorrowCount: 0,
    ...overrides,
  });

  it.each([
    ['an empty body', undefined, {}],
    ['an empty body declared as JSON', '', { 'content-type': 'application/json' }],
    ['{}', '{}', { 'content-type': 'application/json' }],
  ])('answers GetSamplingRules with %s: every field the SDKs require, all in one page', async (_what, body, headers) => {
    const answer = await post('/GetSamplingRules', body, headers);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.json.NextToken).toBeUndefined();
    const records = answer.json.SamplingRuleRecords as Array<{ SamplingRule: Record<string, unknown>; CreatedAt: unknown; ModifiedAt: unknown }>;
    for (const record of records) {
      expect(typeof record.CreatedAt).toBe('number');
      expect(typeof record.ModifiedAt).toBe('number');
      expect(record.ModifiedAt as number).toBeLessThan(Date.now() / 1000 + 1);
      expect(record.SamplingRule).toMatchObject({ Version: 1, ResourceARN: '*', Attributes: {}, Host: '*' });
      expect(record.SamplingRule.ServiceType).toBe('*');
      expect(record.SamplingRule.Priority).toBeGreaterThanOrEqual(1);
      expect(typeof record.SamplingRule.FixedRate).toBe('number');
      expect(typeof record.SamplingRule.ReservoirSize).toBe('number');
    }
    const names = records.map((r) => r.SamplingRule.RuleName);
    expect(names).toEqual(expect.arrayContaining(['alpha', 'beta', 'Default']));
    expect(records.find((r) => r.SamplingRule.RuleName === 'Default')?.SamplingRule).toMatchObject({ Priority: 10000, ServiceName: '*' });
  });

  it.each([
    ['an empty body', undefined],
    ['{}', '{}'],
    ['an empty list', '{"SamplingStatisticsDocuments":[]}'],
  ])('answers SamplingTargets with %s: 200, no targets, a numeric LastRuleModification', async (_what, body) => {
    const answer = await post('/SamplingTargets', body);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ SamplingTargetDocuments: [], LastRuleModification: expect.any(Number), UnprocessedStatistics: [] });
  });

  it('gives each reporting instance a target: FixedRate, ReservoirQuota, a TTL past the interval', async () => {
    const now = Date.now() / 1000;
    const answer = await post('/SamplingTargets', JSON.stringify({ SamplingStatisticsDocuments: [statistics('alpha', { RequestCount: 0, SampledCount: 0 }), statistics('no-such-rule')] }));
    expect(answer.status).toBe(200);
    const [target] = answer.json.SamplingTargetDocuments as Array<Record<string, number>>;
    expect(target).toMatchObject({ RuleName: 'alpha', Interval: 10, ReservoirQuota: expect.any(Number), FixedRate: expect.any(Number) });
    expect(target.ReservoirQuotaTTL).toBeGreaterThan(now + 10);
    expect(target.ReservoirQuotaTTL).toBeLessThanOrEqual(now + 16);
    expect(answer.json.UnprocessedStatistics).toEqual([expect.objectContaining({ RuleName: 'no-such-rule' })]);
  });

  it.each([
    ['malformed JSON', '{"SamplingStatisticsDocuments":[', '(body)'],
    ['a list for a body', '[]', '(body)'],
    ['a bad ClientID', JSON.stringify({ SamplingStatisticsDocuments: [statistics('alpha'), statistics('alpha', { ClientID: 'me' })] }), 'SamplingStatisticsDocuments[1].ClientID'],
    ['a string count', JSON.stringify({ SamplingStatisticsDocuments: [statistics('alpha', { RequestCount: '5' })] }), 'SamplingStatisticsDocuments[0].RequestCount'],
    ['26 documents', JSON.stringify({ SamplingStatisticsDocuments: Array.from({ length: 26 }, () => statistics('alpha')) }), 'SamplingStatisticsDocuments'],
  ])('refuses %s with 400 InvalidRequestException naming the field', async (_what, body, field) => {
    const answer = await post('/SamplingTargets', body, { 'content-type': 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
    expect(answer.json.__type).toBe('InvalidRequestException');
    expect(String(answer.json.Message).startsWith(`${field}:`)).toBe(true);
  });

  it('counts statistics as exact throughput, and nothing of a refused call', async () => {
    // alpha only ever got refused calls (and a zero count) above; beta gets accepted calls, one
    // per try: a single call's traffic shows only until the next 1 s calculation, which a loaded
    // machine's admin reads could miss.
    const report = async () => expect((await post('/SamplingTargets', JSON.stringify({ SamplingStatisticsDocuments: [statistics('beta')] }))).status).toBe(200);
    await report();
    const viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    const rates = async () => {
      const list = (await viewer.get('/api/v1/services')).body as { items?: Array<{ service: string; requestsPerSecond: number }> } | Array<{ service: string; requestsPerSecond: number }>;
      const items = Array.isArray(list) ? list : (list.items ?? []);
      return new Map(items.map((item) => [item.service, item.requestsPerSecond]));
    };
    const seen = await waitFor(
      async () => {
        const current = await rates();
        if ((current.get('beta') ?? 0) > 0) return current;
        await report();
        return undefined;
      },
      'beta to be counted',
      15_000,
      250,
    );
    expect(seen.get('alpha') ?? 0).toBe(0);
  });

  it('serves both documents on XRAY_PORT and nothing else there', async () => {
    const rules = await post('/GetSamplingRules', undefined, {}, xrayPort);
    expect(rules.status).toBe(200);
    expect(rules.json.SamplingRuleRecords).toEqual((await post('/GetSamplingRules')).json.SamplingRuleRecords);
    expect((await post('/SamplingTargets', '{}', {}, xrayPort)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${xrayPort}/api/v1/services`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${xrayPort}/sampling?service=x`)).status).toBe(404);
  });
});
