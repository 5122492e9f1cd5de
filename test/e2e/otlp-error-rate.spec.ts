import { SamplaneProcess } from '../support/samplane-process';
import { PROTOBUF, type TestSpan, jsonBody, protobufBody } from '../support/otlp-request';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, VIEWER_TOKEN } from './policies-http';

/** Root spans exported per second for each service, one in twenty with status ERROR. */
const SPANS_PER_BATCH = 20;
const BATCH_MS = 200;
const ERROR_RATE = 1 / SPANS_PER_BATCH;

/** How each service states the probability its spans were sampled at. */
const CASES: Array<{ service: string; probability: number; span: (error: boolean) => TestSpan; json?: boolean }> = [
  { service: 'p-0.01', probability: 0.01, span: (error) => ({ name: 'GET /', error, attributes: { 'sampler.param': 0.01 } }) },
  { service: 'p-0.1', probability: 0.1, span: (error) => ({ name: 'GET /', error, attributes: { 'jaeger.sampler.param': 0.1 } }), json: true },
  { service: 'p-0.5', probability: 0.5, span: (error) => ({ name: 'GET /', error, attributes: { 'sampler.param': 0.5 } }) },
  // W3C tracestate: a rejection threshold of 0xf…, so 1/16 of traces are kept.
  { service: 'th-1/16', probability: 1 / 16, span: (error) => ({ name: 'GET /', error, traceState: 'ot=th:f' }) },
];

interface OperationView {
  operation: string;
  requestsPerSecond: number | null;
  errorsPerSecond: number | null;
  errorRate: number | null;
}

/**
 * Errors seen through a span stream: each exported root span stands for 1/p requests, and the
 * error rate is the errored share of the spans, so the services view shows the true error rate
 * at any sampling probability (not one divided by 1/p).
 */
describe('error rates from OTLP span copies', () => {
  let samplane: SamplaneProcess;
  let viewer: AdminClient;
  let sending = true;
  let sender: Promise<void> | undefined;
  const failures: string[] = [];
  /** When each batch was accepted, per service: on a busy machine batches go out slower than paced. */
  const accepted = new Map<string, number[]>(CASES.map(({ service }) => [service, []]));
  /** Root spans per second the service actually exported over the last `ms`. */
  const sentPerSecond = (service: string, ms: number) => {
    const since = Date.now() - ms;
    return ((accepted.get(service) ?? []).filter((at) => at >= since).length * SPANS_PER_BATCH * 1000) / ms;
  };

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ ADAPTIVE_CALCULATION_INTERVAL: '2s', ADAPTIVE_DELAY: '1s', ADMIN_TOKENS });
    viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    sender = (async () => {
      while (sending) {
        await Promise.all(CASES.map(async ({ service, span, json }) => {
          const spans = Array.from({ length: SPANS_PER_BATCH }, (_, i) => span(i === 0));
          const body = json ? jsonBody([{ service, spans }]) : protobufBody([{ service, spans }]);
          const contentType = json ? 'application/json' : PROTOBUF;
          const response = await fetch(`${samplane.url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
          if (response.status !== 200) failures.push(`${service}: ${response.status}`);
          else accepted.get(service)?.push(Date.now());
        }));
        await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
      }
    })();
  });

  afterAll(async () => {
    sending = false;
    await sender;
    await samplane?.stop();
  });

  it.each(CASES.map((c) => [c.service, c]))('shows the true error rate for %s', async (_name, { service, probability }) => {
    const view = await waitFor(
      async () => {
        const answer = await viewer.get(`/api/v1/services/${encodeURIComponent(service)}`);
        const op = (answer.body as { operations?: OperationView[] }).operations?.find((o) => o.operation === 'GET /');
        return op && op.errorRate !== null && (op.requestsPerSecond ?? 0) > 0 ? op : undefined;
      },
      `a calculation over ${service}`,
      20_000,
      250,
    );
    expect(Math.abs((view.errorRate ?? NaN) - ERROR_RATE)).toBeLessThanOrEqual(0.015);
    const spansPerSecond = sentPerSecond(service, 5_000);
    // Requests are the spans scaled up by 1/p; where batches fall in intervals makes them approximate.
    expect(view.requestsPerSecond).toBeGreaterThan((0.5 * spansPerSecond) / probability);
    expect(view.requestsPerSecond).toBeLessThan((1.5 * spansPerSecond) / probability);
    expect((view.errorsPerSecond ?? NaN) / (view.requestsPerSecond ?? NaN)).toBeCloseTo(view.errorRate ?? NaN, 6);
    const metric = await samplane.metric('samplane_operation_error_rate', { service, operation: 'GET /' });
    expect(Math.abs(metric - ERROR_RATE)).toBeLessThanOrEqual(0.015);
    expect(failures).toEqual([]);
  });
});
