import { SamplaneProcess } from '../support/samplane-process';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath, sqliteDir } from './policies-http';

const TARGET = 10;
const TRAFFIC = [
  { service: 'checkout', operation: 'GET /cart', requestsPerSecond: 2000 },
  { service: 'checkout', operation: 'POST /pay', requestsPerSecond: 500, errorRatio: 0.02 },
];

interface HistoryPoint {
  at: string;
  requestsPerSecond: number;
  expectedSampledPerSecond: number;
  targetSamplesPerSecond?: number;
  operations: { operation: string; probability: number; requestsPerSecond: number; sampledPerSecond: number }[];
}

interface PreviewOperation {
  operation: string;
  requestsPerSecond: number;
  current: { probability: number | null; expectedSampledPerSecond: number };
  draft: { probability: number | null; expectedSampledPerSecond: number };
}

function near(actual: number, expected: number, relative: number): boolean {
  return Math.abs(actual - expected) <= relative * expected;
}

/**
 * The endpoints behind the dashboard, on a real Samplane with real reports and calculations:
 * the history the charts draw, the engine's state, and a policy preview through the engine's
 * own calculator.
 */
describe('dashboard API: history, engine, preview', () => {
  let samplane: SamplaneProcess;
  let reporter: SteadyReporter;
  let viewer: AdminClient;
  let operator: AdminClient;
  const dir = sqliteDir();

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADMIN_TOKENS,
      SQLITE_PATH: dir.path,
      ADAPTIVE_CALCULATION_INTERVAL: '1s',
      ADAPTIVE_DELAY: '1s',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET),
    });
    viewer = new AdminClient(samplane.url, VIEWER_TOKEN);
    operator = viewer.as(OPERATOR_TOKEN);
    reporter = new SteadyReporter(samplane.url, TRAFFIC);
    reporter.start();
  });

  afterAll(async () => {
    await reporter?.stop();
    await samplane?.stop('SIGKILL');
    dir.remove();
  });

  /** Four calculations with the operations at their target: the settled history. */
  async function settledHistory(): Promise<HistoryPoint[]> {
    return waitFor(
      async () => {
        const answer = await viewer.get('/api/v1/services/checkout/history');
        expect(answer.status).toBe(200);
        const points = (answer.body as { points: HistoryPoint[] }).points;
        const last = points.slice(-4);
        const settled =
          last.length === 4 &&
          last.every((p) => p.operations.length === 2 && p.operations.every((op) => near(op.probability * op.requestsPerSecond, TARGET, 0.2)));
        return settled ? points : undefined;
      },
      'four calculations at the target in the history',
      40_000,
      500,
    );
  }

  it('keeps each calculation of a service: its busiest operations and its total against its target', async () => {
    const points = await settledHistory();
    const times = points.map((p) => Date.parse(p.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const last = points[points.length - 1];
    expect(last.operations.map((op) => op.operation)).toEqual(['GET /cart', 'POST /pay']);
    const cart = last.operations[0];
    expect(near(cart.requestsPerSecond, 2000, 0.25)).toBe(true);
    expect(near(last.requestsPerSecond, 2500, 0.25)).toBe(true);
    expect(last.targetSamplesPerSecond).toBe(2 * TARGET);
    expect(near(last.expectedSampledPerSecond, 2 * TARGET, 0.25)).toBe(true);
    // The probability in the history is the one polls get.
    const polled = (await (await fetch(`${samplane.url}/sampling?service=checkout`)).json()) as {
      operationSampling: { perOperationStrategies: { operation: string; probabilisticSampling: { samplingRate: number } }[] };
    };
    const served = polled.operationSampling.perOperationStrategies.find((op) => op.operation === 'GET /cart');
    expect(near(served?.probabilisticSampling.samplingRate ?? 0, cart.probability, 0.2)).toBe(true);

    const unknown = await viewer.get(`/api/v1/services/${encodeURIComponent('no such service')}/history`);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatchObject({ service: 'no such service', points: [] });
    const long = await viewer.get(`/api/v1/services/${encodeURIComponent('é'.repeat(200))}/history`);
    expect(long.status).toBe(200);
    expect(long.body).toMatchObject({ service: 'é'.repeat(200), points: [] });
  });

  it('tells the engine’s state: leader, algorithm, last calculation, snapshot, dependencies, fleet', async () => {
    await settledHistory();
    const answer = await viewer.get('/api/v1/engine');
    expect(answer.status).toBe(200);
    const engine = answer.body as {
      replica: string;
      leader: string;
      thisReplicaLeads: boolean;
      algorithm: string;
      lastCalculation: { durationMs: number; version: number; ageSeconds: number; services: number };
      snapshot: { version: number; ageSeconds: number };
      dependencies: Record<string, { status: string; kind: string }>;
      fleet: { services: number; operations: number; requestsPerSecond: number };
    };
    expect(engine.thisReplicaLeads).toBe(true);
    expect(engine.leader).toBe(engine.replica);
    expect(engine.algorithm).toBe('samplane');
    expect(engine.lastCalculation.durationMs).toBeGreaterThanOrEqual(0);
    expect(engine.lastCalculation.services).toBe(1);
    expect(engine.snapshot.version).toBeGreaterThanOrEqual(4);
    expect(engine.snapshot.ageSeconds).toBeLessThan(30);
    expect(engine.dependencies).toMatchObject({ store: { status: 'up', kind: 'memory' }, database: { status: 'up' } });
    expect(engine.fleet).toMatchObject({ services: 1, operations: 2 });
    expect(near(engine.fleet.requestsPerSecond, 2500, 0.25)).toBe(true);
  });

  it('finds services by part of their name, case-insensitive', async () => {
    await settledHistory();
    expect((await viewer.get('/api/v1/services?search=CHECK')).body).toMatchObject({ total: 1, items: [{ service: 'checkout' }] });
    expect((await viewer.get('/api/v1/services?search=zzz')).body).toMatchObject({ total: 0, items: [] });
    expect((await viewer.get('/api/v1/services?search=a&search=b')).body).toMatchObject({ field: 'search' });
  });

  it('previews a draft on recent traffic beside what is served now, and stores nothing', async () => {
    await settledHistory();
    const answer = await operator.send('POST', `${policyPath('checkout')}/preview`, {
      mode: 'adaptive',
      targetSamplesPerSecond: 4 * TARGET,
      operations: [{ operation: 'POST /pay', samplingRate: 0.5 }],
    });
    expect(answer.status).toBe(200);
    const preview = answer.body as { operations: PreviewOperation[]; total: { current: { expectedSampledPerSecond: number }; draft: { expectedSampledPerSecond: number } } };
    const [cart, pay] = preview.operations;
    expect([cart.operation, pay.operation]).toEqual(['GET /cart', 'POST /pay']);
    expect(near(cart.current.expectedSampledPerSecond, TARGET, 0.25)).toBe(true);
    expect(near(cart.draft.expectedSampledPerSecond, 4 * TARGET, 0.25)).toBe(true);
    expect(pay.draft.probability).toBe(0.5);
    expect(near(pay.draft.expectedSampledPerSecond, 250, 0.25)).toBe(true);
    expect(near(preview.total.draft.expectedSampledPerSecond, 4 * TARGET + 250, 0.25)).toBe(true);

    // Nothing was stored or served.
    expect((await viewer.get(policyPath('checkout'))).status).toBe(404);
    expect((await viewer.get('/api/v1/audit?service=checkout')).body).toMatchObject({ items: [] });
  });

  it('refuses a bad draft naming the field, and previews only for operators', async () => {
    const bad = await operator.send('POST', `${policyPath('checkout')}/preview`, { mode: 'adaptive', targetSamplesPerSecond: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'targetSamplesPerSecond' });
    expect((await viewer.send('POST', `${policyPath('checkout')}/preview`, { mode: 'adaptive' })).status).toBe(403);
    expect((await viewer.as(undefined).send('POST', `${policyPath('checkout')}/preview`, { mode: 'adaptive' })).status).toBe(401);
    expect((await viewer.as(undefined).get('/api/v1/engine')).status).toBe(401);
    expect((await viewer.as(undefined).get('/api/v1/services/checkout/history')).status).toBe(401);
  });

  it('documents the endpoints in OpenAPI', async () => {
    const document = (await (await fetch(`${samplane.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(document.components.schemas.ServiceHistoryView.properties ?? {})).toEqual(
      expect.arrayContaining(['service', 'bounds', 'points']),
    );
    expect(Object.keys(document.components.schemas.EngineStatusView.properties ?? {})).toEqual(
      expect.arrayContaining(['leader', 'algorithm', 'lastCalculation', 'snapshot', 'dependencies', 'fleet']),
    );
    expect(Object.keys(document.components.schemas.PolicyPreviewView.properties ?? {})).toEqual(
      expect.arrayContaining(['operations', 'total']),
    );
    expect(document.paths['/api/v1/services/{service}/history']).toHaveProperty('get');
    expect(document.paths['/api/v1/engine']).toHaveProperty('get');
    expect(document.paths['/api/v1/policies/{service}/preview']).toHaveProperty('post');
  });
});
