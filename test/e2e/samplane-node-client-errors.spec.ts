import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateLoad } from '../support/otel-load';
import { SamplaneProcess } from '../support/samplane-process';
import { ServedWatch } from '../support/served-watch';
import { waitFor } from '../support/wait';

type Client = typeof import('../../src/client');

const BUILT_CLIENT = join(__dirname, '..', '..', 'dist', 'client', 'index.js');
const SERVICE = 'shop';
const OPERATION = 'POST /pay';
const RATE = 1_000;
const TARGET = 20;
const NORMAL = TARGET / RATE;
/** Errored traces per second a boost aims at: above what the normal rate keeps of an incident. */
const ERROR_TARGET = 40;
const COOLDOWN_SECONDS = 10;
const INCIDENT_ERRORS = 0.5;
/** Calculations that could see the incident within which the probability must be raised. */
const RAISED_WITHIN = 2;
/** ADAPTIVE_DELAY, the client's report window and the store's 1 s slot (as in the steps test). */
const BLIND_MS = 1_000 + 500 + 1_000;

/**
 * An application using `samplane/client` whose spans start failing: the client sees the
 * outcome of its sampled spans only (an unsampled span records nothing) and reports them as
 * `sampledErrors`; Samplane judges the error rate on those and boosts the operation.
 */
describe('samplane/client reporting an error incident', () => {
  let samplane: SamplaneProcess;
  let provider: NodeTracerProvider | undefined;
  let load: ReturnType<typeof generateLoad> | undefined;
  let watch: ServedWatch | undefined;
  let errorRatio = 0.01;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADAPTIVE_CALCULATION_INTERVAL: '2s',
      ADAPTIVE_DELAY: '1s',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET),
      ADAPTIVE_ERROR_TARGET_SAMPLES_PER_SECOND: String(ERROR_TARGET),
      ADAPTIVE_ERROR_BOOST_COOLDOWN: `${COOLDOWN_SECONDS}s`,
    });
  }, 30_000);

  afterAll(async () => {
    load?.stop();
    await provider?.shutdown();
    await watch?.stop();
    await samplane?.stop();
    console.log(`node client error boost: ${JSON.stringify(measured)}`);
  });

  const version = () => samplane.metric('samplane_snapshot_version');
  const served = () => watch?.latest?.operations[OPERATION] ?? NaN;
  const near = (p: number, to: number) => Math.abs(p - to) / to <= 0.3;
  const trace = () => watch?.trace(OPERATION) ?? '';

  it('raises the probability within two calculations that could see the incident, and returns after the cooldown', async () => {
    const client = (await import(BUILT_CLIENT)) as Client;
    const { sampler, spanProcessor } = client.createSamplaneSampling({
      endpoint: samplane.url,
      serviceName: SERVICE,
      pollIntervalMs: 500,
      reportIntervalMs: 500,
    });
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      sampler,
      spanProcessors: [spanProcessor],
    });
    watch = new ServedWatch(samplane, SERVICE);
    load = generateLoad(provider.getTracer('load'), OPERATION, () => RATE, () => errorRatio);

    const started = Date.now();
    await waitFor(() => Date.now() - started > 15_000 && near(served(), NORMAL), 'a settled baseline', 40_000, 100).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${trace()}`);
      },
    );

    errorRatio = INCIDENT_ERRORS;
    const incidentAt = Date.now();
    const from = await version();
    // The boost asks for ERROR_TARGET / (RATE · INCIDENT_ERRORS) = 0.08: four times the normal.
    // The client sees the outcome of its sampled spans only: 20/s of them, enough for half a
    // bucket of the incident to stand out, but ~20 errors a bucket put ±25 % of noise on the
    // errors/s the boost aims from (and a boost never rises while errors look like fading):
    // twice the normal is what a boost certainly is.
    const raised = await waitFor(() => (served() >= 2 * NORMAL ? watch?.latest?.version : undefined), 'a boost', 20_000, 100).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${trace()}`);
      },
    );
    const firstSeeing = watch?.firstVersionSeenAfter(incidentAt + BLIND_MS) ?? from;
    measured.raisedAfter = raised - firstSeeing + 1;
    if (raised - firstSeeing + 1 > RAISED_WITHIN) throw new Error(`raised after ${raised - firstSeeing + 1} calculations\n${trace()}`);
    // The client applies it: about ERROR_TARGET errored traces/s kept (less the boost's noise),
    // against 10/s before.
    await waitFor(() => Date.now() - incidentAt > 8_000, 'boosted traffic', 10_000, 100);
    const recent = load.spans.filter((s) => s.at >= Date.now() - 3_000);
    const erroredKept = recent.filter((s) => s.sampled && s.error).length / 3;
    measured.erroredKeptPerSecond = erroredKept;
    expect(erroredKept).toBeGreaterThan(0.5 * ERROR_TARGET);

    errorRatio = 0.01;
    const calmAt = Date.now();
    await waitFor(() => near(served(), NORMAL), 'the normal probability again', (COOLDOWN_SECONDS + 20) * 1000, 100).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${trace()}`);
      },
    );
    measured.returnedAfterMs = Date.now() - calmAt;
    // The boost outlives the incident by the cooldown, less the calculation's own lag.
    expect(Date.now() - calmAt).toBeGreaterThanOrEqual((COOLDOWN_SECONDS - 4) * 1000);
  }, 120_000);
});
