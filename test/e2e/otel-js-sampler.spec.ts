import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { STRATEGIES_FILE, STRATEGIES_WITH_DEFAULT_FILE } from '../fixtures/e2e/strategy-files';
import { withCapturedIntervals } from '../support/captured-intervals';
import { SamplaneProcess } from '../support/samplane-process';
import { expectBinomial, randomTraceId, seededRandom } from '../support/statistics';
import { waitFor } from '../support/wait';

const DECISIONS = 20_000;

/**
 * The OTel JS Jaeger remote sampler, unmodified, polling Samplane. It starts as AlwaysOn, so
 * any decision taken before its first successful poll would show up as a 100 % rate.
 */
describe('OpenTelemetry JS JaegerRemoteSampler against Samplane', () => {
  let samplane: SamplaneProcess;
  let withDefault: SamplaneProcess;
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    [samplane, withDefault] = await Promise.all([
      SamplaneProcess.start({ STRATEGIES_FILE }),
      SamplaneProcess.start({ STRATEGIES_FILE: STRATEGIES_WITH_DEFAULT_FILE }),
    ]);
  });

  afterAll(async () => {
    stops.forEach((stop) => stop());
    await Promise.all([samplane?.stop(), withDefault?.stop()]);
  });

  /** A sampler that has applied its first strategy from `server`. */
  async function pollingSampler(server: SamplaneProcess, serviceName: string): Promise<JaegerRemoteSampler> {
    const { value: sampler, clear } = withCapturedIntervals(
      () =>
        new JaegerRemoteSampler({
          endpoint: server.url,
          serviceName,
          poolingInterval: 50,
          initialSampler: new AlwaysOnSampler(),
        }),
    );
    stops.push(clear);
    // Its string form names the sampler in use: AlwaysOn until a strategy has been applied, then a
    // ParentBased sampler built from it.
    await waitFor(() => sampler.toString().includes('sampler=ParentBased'), `the sampler for ${serviceName} to poll`);
    return sampler;
  }

  /** Root-span decisions for `spanName` over seeded trace IDs: the same counts on every run. */
  function countSampled(sampler: JaegerRemoteSampler, spanName: string, seed: number): number {
    const random = seededRandom(seed);
    let sampled = 0;
    for (let i = 0; i < DECISIONS; i++) {
      const result = sampler.shouldSample(ROOT_CONTEXT, randomTraceId(random), spanName, SpanKind.SERVER, {}, []);
      if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    return sampled;
  }

  it('samples each listed operation at its own rate and the rest at the service rate', async () => {
    const sampler = await pollingSampler(samplane, 'checkout');
    expectBinomial(countSampled(sampler, 'GET /cart', 1), DECISIONS, 0.8, 'GET /cart');
    expectBinomial(countSampled(sampler, 'POST /pay', 2), DECISIONS, 0.05, 'POST /pay');
    expect(countSampled(sampler, 'GET /health', 3)).toBe(0);
    expectBinomial(countSampled(sampler, 'GET /unlisted', 4), DECISIONS, 0.2, 'unlisted operation');
  });

  it('gives an unknown service the adaptive default of 0.001', async () => {
    const sampler = await pollingSampler(samplane, 'never-configured');
    expectBinomial(countSampled(sampler, 'GET /', 5), DECISIONS, 0.001, 'unknown service');
  });

  it("gives an unknown service the file's default_strategy when the file has one", async () => {
    const sampler = await pollingSampler(withDefault, 'never-configured');
    expectBinomial(countSampled(sampler, 'GET /', 6), DECISIONS, 0.4, 'unknown service, file default');
  });

  it('finds services whose names it sends without percent-encoding', async () => {
    // The sampler concatenates the name into the URL: "svc%prod" arrives as a malformed
    // escape, while fetch encodes the space and the non-ASCII characters of the others.
    const names: Array<[string, number]> = [
      ['svc%prod', 0.25],
      ['a b', 0.75],
      ['café-服务', 0.55],
    ];
    for (const [index, [name, rate]] of names.entries()) {
      const sampler = await pollingSampler(samplane, name);
      expectBinomial(countSampled(sampler, 'GET /', 7 + index), DECISIONS, rate, name);
    }
  });
});
