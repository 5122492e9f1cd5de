import { SamplingManagerClient } from '../support/grpc-clients';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath } from './policies-http';

type LastPolls = Partial<Record<'http' | 'grpc' | 'xray', string>>;

/** Which protocol each service polls with, and when: in the services view and in /metrics. */
describe('polls by protocol per service', () => {
  let samplane: SamplaneProcess;
  let grpc: SamplingManagerClient;
  let viewer: AdminClient;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ ADMIN_TOKENS, POLICY_RELOAD_INTERVAL: '200ms' });
    grpc = new SamplingManagerClient(samplane.grpcAddress);
    viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    for (const service of ['jaeger-fleet', 'grpc-fleet', 'xray-fleet', 'quiet']) {
      const answer = await operator.put(policyPath(service), { mode: 'probabilistic', samplingRate: 0.5 });
      if (answer.status >= 300) throw new Error(answer.text);
    }
    await waitFor(async () => (await (await fetch(`${samplane.url}/GetSamplingRules`, { method: 'POST' })).text()).includes('"xray-fleet"'), 'the rules');
  });

  afterAll(async () => {
    grpc?.close();
    await samplane?.stop();
  });

  async function lastPolls(service: string): Promise<LastPolls> {
    const answer = await viewer.get(`/api/v1/services/${service}`);
    return (answer.body as { lastPolls: LastPolls }).lastPolls;
  }

  it('shows each protocol with the time of the last poll, and none for a service nobody polls', async () => {
    const before = Date.now();
    expect((await fetch(`${samplane.url}/sampling?service=jaeger-fleet`)).status).toBe(200);
    await grpc.getSamplingStrategy('grpc-fleet');
    const targets = await fetch(`${samplane.url}/SamplingTargets`, {
      method: 'POST',
      body: JSON.stringify({
        SamplingStatisticsDocuments: [
          { RuleName: 'xray-fleet', ClientID: 'abcdefabcdefabcdefabcdef', Timestamp: Math.floor(before / 1000), RequestCount: 10, SampledCount: 5, BorrowCount: 0 },
        ],
      }),
    });
    expect(targets.status).toBe(200);

    const jaeger = await lastPolls('jaeger-fleet');
    expect(Object.keys(jaeger)).toEqual(['http']);
    expect(Date.parse(jaeger.http ?? '')).toBeGreaterThanOrEqual(before - 1);
    expect(Object.keys(await lastPolls('grpc-fleet'))).toEqual(['grpc']);
    expect(Object.keys(await lastPolls('xray-fleet'))).toEqual(['xray']);
    expect(await lastPolls('quiet')).toEqual({});

    const list = (await viewer.get('/api/v1/services')).body as { items: Array<{ service: string; lastPolls: LastPolls }> };
    expect(list.items.find((item) => item.service === 'grpc-fleet')?.lastPolls).toHaveProperty('grpc');

    for (const [service, protocol] of [['jaeger-fleet', 'http'], ['grpc-fleet', 'grpc'], ['xray-fleet', 'xray']]) {
      const at = await samplane.metric('samplane_service_last_poll_timestamp_seconds', { service, protocol });
      expect(at * 1000).toBeGreaterThanOrEqual(before - 1000);
    }
  });
});
