import { status } from '@grpc/grpc-js';
import { STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { type DecodedStrategy, HealthClient, SamplingManagerClient } from '../support/grpc-clients';
import { SamplaneProcess } from '../support/samplane-process';

const ADAPTIVE_DEFAULT: DecodedStrategy = {
  strategyType: 'PROBABILISTIC',
  probabilisticSampling: { samplingRate: 0.001 },
  rateLimitingSampling: null,
  operationSampling: {
    defaultSamplingProbability: 0.001,
    defaultLowerBoundTracesPerSecond: 1 / 60,
    perOperationStrategies: [],
    defaultUpperBoundTracesPerSecond: 0,
  },
};

/** The HTTP answer in the shape the gRPC decoder gives: sub-messages not sent read as null. */
function asDecoded(json: Record<string, unknown>): DecodedStrategy {
  return {
    probabilisticSampling: null,
    rateLimitingSampling: null,
    operationSampling: null,
    ...json,
  } as DecodedStrategy;
}

describe('gRPC jaeger.api_v2.SamplingManager and grpc.health.v1.Health', () => {
  let samplane: SamplaneProcess;
  let sampling: SamplingManagerClient;
  let health: HealthClient;
  let grpcPolls = 0;

  async function strategyFor(service: string): Promise<DecodedStrategy> {
    grpcPolls++;
    return sampling.getSamplingStrategy(service);
  }

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ STRATEGIES_FILE });
    sampling = new SamplingManagerClient(samplane.grpcAddress);
    health = new HealthClient(samplane.grpcAddress);
  });

  afterAll(async () => {
    sampling?.close();
    health?.close();
    await samplane?.stop();
  });

  it('serves a file service with per-operation strategies', async () => {
    expect(await strategyFor('checkout')).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.2 },
      rateLimitingSampling: null,
      operationSampling: {
        defaultSamplingProbability: 0.2,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [
          { operation: 'GET /cart', probabilisticSampling: { samplingRate: 0.8 } },
          { operation: 'POST /pay', probabilisticSampling: { samplingRate: 0.05 } },
          { operation: 'GET /health', probabilisticSampling: { samplingRate: 0 } },
        ],
        defaultUpperBoundTracesPerSecond: 0,
      },
    });
  });

  it('serves a rate-limited file service', async () => {
    expect(await strategyFor('ratelimited')).toEqual({
      strategyType: 'RATE_LIMITING',
      probabilisticSampling: null,
      rateLimitingSampling: { maxTracesPerSecond: 5 },
      operationSampling: null,
    });
  });

  it('gives unknown, empty and very long service names the adaptive default', async () => {
    expect(await strategyFor('never-configured')).toEqual(ADAPTIVE_DEFAULT);
    expect(await strategyFor('')).toEqual(ADAPTIVE_DEFAULT);
    expect(await strategyFor('x'.repeat(100_000))).toEqual(ADAPTIVE_DEFAULT);
  });

  it('answers every name exactly as HTTP does, including names with escapes and control characters', async () => {
    const names = ['checkout', 'ratelimited', 'svc%prod', 'a b', 'café-服务', 'nul\u0000byte', 'new\nline', 'unknown', ''];
    for (const name of names) {
      const overHttp = (await samplane.poll(name)) as Record<string, unknown>;
      expect({ name, strategy: await strategyFor(name) }).toEqual({ name, strategy: asDecoded(overHttp) });
    }
  });

  it('counts gRPC polls in samplane_polls_total', async () => {
    expect(await samplane.metric('samplane_polls_total', { protocol: 'grpc', outcome: 'ok' })).toBe(grpcPolls);
  });

  it('reports SERVING for the server and for SamplingManager, NOT_FOUND for anything else', async () => {
    expect(await health.check('')).toEqual({ status: 'SERVING' });
    expect(await health.check('jaeger.api_v2.SamplingManager')).toEqual({ status: 'SERVING' });
    await expect(health.check('no.such.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('streams the same statuses through Watch', async () => {
    expect(await health.firstWatched('jaeger.api_v2.SamplingManager')).toEqual({ status: 'SERVING' });
    expect(await health.firstWatched('no.such.Service')).toEqual({ status: 'SERVICE_UNKNOWN' });
  });
});
