import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import type { SamplaneSampler } from '../../../src/client/samplane-sampler';
import { expectBinomial } from '../../support/statistics';
import { FakeSamplane, perOperation } from './support/fake-samplane';
import { decide, polledSampler } from './support/harness';
import { ManualTime } from './support/manual-time';

const TRACE = 'ffffffffffffffffffffffffffffffff';

describe('SamplaneSampler under a flood of span names', () => {
  let fake: FakeSamplane;
  let time: ManualTime;
  let sampler: SamplaneSampler;

  beforeEach(async () => {
    fake = await FakeSamplane.start();
    time = new ManualTime();
    fake.strategy = { status: 200, body: perOperation(0.1, 1, { 'GET /cart': 0.5 }) };
    sampler = await polledSampler(fake, time);
  });

  afterEach(async () => {
    sampler.shutdown();
    await fake.stop();
  });

  const flood = (prefix: string, names: number) => {
    for (let i = 0; i < names; i++) sampler.shouldSample(ROOT_CONTEXT, TRACE, `${prefix}${i}`, SpanKind.SERVER, {}, []);
  };

  it('tracks at most 2000 operations, and counts the rest in a total', () => {
    flood('GET /users/', 100_000);

    expect(sampler.trackedOperations).toBe(2000);
    const window = sampler.drainWindow();
    // The listed operation keeps its place; 1999 flood names got the rest.
    expect(window.operations).toHaveLength(1999);
    expect(window.untracked).toBe(100_000 - 1999);
  });

  it('keeps the strategy’s own operations and their rates through the flood', () => {
    flood('GET /users/', 10_000);

    expectBinomial(decide(sampler, 'GET /cart', 20_000, 1).sampled, 20_000, 0.5, 'listed operation');
    const cart = sampler.drainWindow().operations.find((op) => op.operation === 'GET /cart');
    expect(cart).toMatchObject({ count: 20_000, probability: 0.5 });
  });

  it('samples names beyond the cap at the default probability, without a lower bound', () => {
    flood('GET /users/', 5_000);

    // An untracked name gets neither its own counts nor an allowance that starts full.
    const tally = decide(sampler, 'GET /new', 20_000, 2);
    expectBinomial(tally.sampled, 20_000, 0.1, 'untracked name');
    expect(tally.byType.lowerbound).toBeUndefined();
  });

  it('makes room at the end of a window by forgetting names that saw no traffic', () => {
    flood('GET /users/', 2_000);
    sampler.drainWindow();
    // Busy in the second window: these stay.
    flood('GET /users/', 500);
    sampler.drainWindow();

    expect(sampler.trackedOperations).toBe(501);
    flood('GET /orders/', 1_000);
    expect(sampler.drainWindow().operations).toHaveLength(1_000);
    expect(sampler.trackedOperations).toBe(1_501);
  });

  it('holds little memory after a million distinct names', () => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;

    flood('GET /items/', 1_000_000);
    sampler.drainWindow();
    global.gc?.();

    expect(sampler.trackedOperations).toBe(2000);
    // Without --expose-gc the garbage of the loop itself is still counted: a loose bound.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});
