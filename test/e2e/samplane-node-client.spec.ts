import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateLoad } from '../support/otel-load';
import { SamplaneProcess } from '../support/samplane-process';
import { ServedWatch } from '../support/served-watch';
import { expectBinomial } from '../support/statistics';
import { waitFor } from '../support/wait';

type Client = typeof import('../../src/client');

const BUILT_CLIENT = join(__dirname, '..', '..', 'dist', 'client', 'index.js');
const SERVICE = 'shop';
const OPERATION = 'GET /cart';
const TARGET = 10;
const TOLERANCE = 0.3;
const HIGH = 1_000;
const LOW = HIGH / 10;
/** Calculations that could see a step, within which samplane reaches the band. */
const SETTLING = 2;
/** A rise gets no more calculations than a drop. */
const RISE_SLACK = 0;
/**
 * ADAPTIVE_DELAY, the client's report window and INGEST_FLUSH_INTERVAL (the store's slot):
 * a calculation sooner than that after a step reads only counts from before it.
 */
const BLIND_MS = 1_000 + 500 + 1_000;

/**
 * An application using `samplane/client` (a real NodeTracerProvider) against Samplane in
 * `samplane` mode, one operation's traffic stepped 10× down and back up.
 */
describe('samplane/client against samplane: 10× steps', () => {
  let samplane: SamplaneProcess;
  let provider: NodeTracerProvider | undefined;
  let load: ReturnType<typeof generateLoad> | undefined;
  let watch: ServedWatch | undefined;
  let rate = HIGH;
  const inBand = (p: number) => Math.abs(p * rate - TARGET) / TARGET <= TOLERANCE;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADAPTIVE_ALGORITHM: 'samplane',
      ADAPTIVE_CALCULATION_INTERVAL: '2s',
      ADAPTIVE_DELAY: '1s',
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET),
    });
  }, 30_000);

  afterAll(async () => {
    load?.stop();
    await provider?.shutdown();
    await watch?.stop();
    await samplane?.stop();
    console.log(`node client settling: ${JSON.stringify(measured)}`);
  });

  const version = () => samplane.metric('samplane_snapshot_version');
  const trace = () => watch?.trace(OPERATION) ?? '';

  /** Steps the rate, then returns how many calculations that could see it it took to settle. */
  async function step(to: number, slack: number): Promise<number | undefined> {
    rate = to;
    const at = Date.now();
    const from = await version();
    await waitFor(async () => (await version()) >= from + SETTLING + slack + 3, 'calculations after the step', 30_000, 100);
    const calculations = watch?.settledAfter(OPERATION, from, inBand);
    if (calculations === undefined) return undefined;
    const firstSeeing = watch?.firstVersionSeenAfter(at + BLIND_MS) ?? from + calculations;
    return Math.max(0, from + calculations - firstSeeing + 1);
  }

  /** The client's own decisions over the last `seconds`, against what Samplane serves now. */
  function expectSampledAtServed(seconds: number, what: string): void {
    const since = Date.now() - seconds * 1000;
    const recent = load?.spans.filter((s) => s.at >= since) ?? [];
    const p = watch?.latest?.operations[OPERATION] ?? NaN;
    expectBinomial(recent.filter((s) => s.sampled).length, recent.length, p, what);
    const perSecond = recent.filter((s) => s.sampled).length / seconds;
    measured[`${what} sampled/s`] = perSecond;
  }

  it('settles within two calculations that could see each step, and samples at what it serves', async () => {
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
    load = generateLoad(provider.getTracer('load'), OPERATION, () => rate);

    await waitFor(() => inBand(watch?.latest?.operations[OPERATION] ?? NaN), 'a probability in the band', 30_000, 100).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${trace()}`);
      },
    );

    const drop = await step(LOW, 0);
    measured.drop = drop;
    if (drop === undefined || drop > SETTLING) throw new Error(`drop settled after ${drop}\n${trace()}`);
    // The client polls every 500 ms: three seconds after settling it applies what is served.
    expectSampledAtServed(3, 'after the drop');

    const rise = await step(HIGH, RISE_SLACK);
    measured.rise = rise;
    if (rise === undefined || rise > SETTLING + RISE_SLACK) throw new Error(`rise settled after ${rise}\n${trace()}`);
    expectSampledAtServed(3, 'after the rise');
  }, 90_000);
});
