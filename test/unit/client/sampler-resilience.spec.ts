import { SamplaneSampler } from '../../../src/client/samplane-sampler';
import { expectBinomial } from '../../support/statistics';
import { FakeSamplane, perOperation, probabilistic } from './support/fake-samplane';
import { decide, polledSampler } from './support/harness';
import { ManualTime } from './support/manual-time';

const N = 20_000;
const INTERVAL = 60_000;

describe('SamplaneSampler when Samplane fails', () => {
  let fake: FakeSamplane;
  let time: ManualTime;
  let sampler: SamplaneSampler;

  beforeEach(async () => {
    fake = await FakeSamplane.start();
    time = new ManualTime();
    fake.strategy = { status: 200, body: perOperation(0.001, 0, { 'GET /cart': 0.5 }) };
    sampler = await polledSampler(fake, time, { requestTimeoutMs: 300 });
  });

  afterEach(async () => {
    sampler.shutdown();
    await fake.stop();
  });

  /** The next scheduled poll; resolves with whether it applied a strategy. */
  const nextPoll = (): Promise<boolean> => {
    time.advance(INTERVAL);
    return sampler.poll();
  };

  const expectStillApplied = (seed: number) => {
    expect(sampler.strategy).toMatchObject({ kind: 'per-operation', operations: new Map([['GET /cart', 0.5]]) });
    expectBinomial(decide(sampler, 'GET /cart', N, seed).sampled, N, 0.5, 'GET /cart');
  };

  it('keeps the last strategy while Samplane is down, and takes the next one when it is back', async () => {
    await fake.stop();

    await expect(nextPoll()).resolves.toBe(false);
    await expect(nextPoll()).resolves.toBe(false);
    expectStillApplied(1);

    fake.strategy = { status: 200, body: probabilistic(0.1) };
    await fake.restart();
    await expect(nextPoll()).resolves.toBe(true);

    expectBinomial(decide(sampler, 'GET /cart', N, 2).sampled, N, 0.1, 'after the restart');
  });

  it.each([
    ['a 500 carrying a valid strategy', 500, probabilistic(0.9)],
    ['a 503 error page', 503, '<html>unavailable</html>'],
    ['a 200 that is not JSON', 200, 'ok'],
    ['a 200 with an empty body', 200, ''],
    ['a 200 with a rate out of range', 200, '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":7}}'],
    ['a 200 with an unknown strategy type', 200, '{"strategyType":"ADAPTIVE"}'],
    ['a 200 with a JSON null', 200, 'null'],
  ])('keeps the last strategy when Samplane answers %s', async (_, status, body) => {
    fake.strategy = { status, body };

    await expect(nextPoll()).resolves.toBe(false);

    expectStillApplied(3);
  });

  it('gives up on a Samplane that does not answer, and keeps the last strategy', async () => {
    fake.strategy = { status: 200, body: probabilistic(0.9), delayMs: 5_000 };

    const started = Date.now();
    await expect(nextPoll()).resolves.toBe(false);

    expect(Date.now() - started).toBeLessThan(3_000);
    expectStillApplied(4);
  });

  it('polls at once, then every pollIntervalMs, and never after shutdown', async () => {
    expect(fake.polls).toHaveLength(1);

    time.advance(INTERVAL - 1);
    expect(fake.polls).toHaveLength(1);
    await expect(nextPoll()).resolves.toBe(true);
    expect(fake.polls).toHaveLength(2);

    sampler.shutdown();
    expect(time.pending).toBe(0);
    time.advance(10 * INTERVAL);
    expect(fake.polls).toHaveLength(2);
  });

  it('keeps polling on schedule through failures', async () => {
    await fake.stop();
    for (let i = 0; i < 3; i++) await expect(nextPoll()).resolves.toBe(false);
    await fake.restart();

    await expect(nextPoll()).resolves.toBe(true);
    expect(fake.polls).toHaveLength(2);
  });

  it('refuses a configuration it cannot serve', () => {
    const create = (options: Partial<ConstructorParameters<typeof SamplaneSampler>[0]>) => () =>
      new SamplaneSampler({ endpoint: fake.url, serviceName: 'checkout', clock: time, scheduler: time, ...options });

    expect(create({ serviceName: ' ' })).toThrow('serviceName');
    expect(create({ serviceName: 'x'.repeat(257) })).toThrow('serviceName');
    expect(create({ initialProbability: 2 })).toThrow('initialProbability');
    expect(create({ pollIntervalMs: 0 })).toThrow('pollIntervalMs');
  });
});
