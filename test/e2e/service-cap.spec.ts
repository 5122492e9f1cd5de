import { metricValue } from '../support/metrics-text';
import { FAST_ENGINE } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, VIEWER_TOKEN } from './policies-http';

/** ADAPTIVE_MAX_SERVICES: a flood of invented service names is refused and counted, known ones keep reporting. */
describe('the service cap, end to end', () => {
  let samplane: SamplaneProcess;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ ...FAST_ENGINE, ADMIN_TOKENS, ADAPTIVE_MAX_SERVICES: '2' });
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  const report = async (service: string): Promise<number> => {
    const response = await fetch(`${samplane.url}/api/v1/throughput`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service, operations: [{ operation: 'GET /', count: 100, sampled: 1 }] }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { accepted: number }).accepted;
  };
  const refusedMetric = async (): Promise<number> =>
    metricValue(await (await fetch(`${samplane.url}/metrics`)).text(), 'samplane_ingest_rejected_total', {
      source: 'report',
      reason: 'over_service_cap',
    }) ?? 0;

  it('keeps the first services, refuses further ones and counts them, across calculations', async () => {
    expect(await report('alpha')).toBe(1);
    expect(await report('beta')).toBe(1);
    expect(await report('gamma')).toBe(0);
    expect(await refusedMetric()).toBe(1);

    const viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    const listed = async () =>
      ((await viewer.get('/api/v1/services')).body as { items: { service: string }[] }).items.map((item) => item.service);
    await waitFor(async () => (await listed()).length >= 2, 'a calculation over alpha and beta');

    // Known services still report after the window that admitted them is gone; new ones still do not.
    expect(await report('alpha')).toBe(1);
    expect(await report('delta')).toBe(0);
    expect(await refusedMetric()).toBe(2);
    expect((await listed()).sort()).toEqual(['alpha', 'beta']);
  });
});
