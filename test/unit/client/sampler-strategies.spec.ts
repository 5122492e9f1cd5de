import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { SamplaneSampler } from '../../../src/client/samplane-sampler';
import { expectBinomial } from '../../support/statistics';
import { FakeSamplane, perOperation, probabilistic, rateLimiting } from './support/fake-samplane';
import { decide, polledSampler } from './support/harness';
import { ManualTime } from './support/manual-time';

const N = 20_000;

describe('SamplaneSampler applying the strategy Samplane serves', () => {
  let fake: FakeSamplane;
  let time: ManualTime;
  const samplers: SamplaneSampler[] = [];
  const sampler = async (body: string, options = {}): Promise<SamplaneSampler> => {
    fake.strategy = { status: 200, body };
    const created = await polledSampler(fake, time, options);
    samplers.push(created);
    return created;
  };

  beforeEach(async () => {
    fake = await FakeSamplane.start();
    time = new ManualTime();
  });

  afterEach(async () => {
    samplers.splice(0).forEach((s) => s.shutdown());
    await fake.stop();
  });

  it('samples each listed operation at its own rate and the others at the default', async () => {
    const s = await sampler(perOperation(0.05, 0, { 'GET /cart': 0.5, 'POST /pay': 0.1, 'GET /health': 0 }));

    const cart = decide(s, 'GET /cart', N, 1);
    const pay = decide(s, 'POST /pay', N, 2);
    const health = decide(s, 'GET /health', N, 3);
    const other = decide(s, 'GET /unlisted', N, 4);

    expectBinomial(cart.sampled, N, 0.5, 'GET /cart');
    expectBinomial(pay.sampled, N, 0.1, 'POST /pay');
    expect(health.sampled).toBe(0);
    expectBinomial(other.sampled, N, 0.05, 'unlisted operation');
    expect(cart.byType).toEqual({ probabilistic: cart.sampled });
  });

  it('applies one probability to every operation under a probabilistic strategy', async () => {
    const s = await sampler(probabilistic(0.2));

    expectBinomial(decide(s, 'GET /a', N, 5).sampled, N, 0.2, 'GET /a');
    expectBinomial(decide(s, 'GET /b', N, 6).sampled, N, 0.2, 'GET /b');
  });

  it('tags sampled root spans with sampler.type and sampler.param, as Jaeger clients do', async () => {
    const s = await sampler(perOperation(0.001, 0, { 'GET /cart': 1 }));

    const result = s.shouldSample(ROOT_CONTEXT, '0af7651916cd43dd8448eb211c80319c', 'GET /cart', SpanKind.SERVER, {}, []);

    expect(result).toEqual({
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      attributes: { 'sampler.type': 'probabilistic', 'sampler.param': 1 },
    });
  });

  it('decides the same way for the same trace id, every time and in every instance', async () => {
    const first = await sampler(probabilistic(0.5));
    const second = await sampler(probabilistic(0.5));
    const ids = ['0af7651916cd43dd8448eb211c80319c', '4bf92f3577b34da6a3ce929d0e0e4736', 'ffffffffffffffff0000000000000001'];

    for (const id of ids) {
      const decisions = [first, first, second].map(
        (s) => s.shouldSample(ROOT_CONTEXT, id, 'GET /', SpanKind.SERVER, {}, []).decision,
      );
      expect(new Set(decisions).size).toBe(1);
    }
  });

  describe('lower bounds', () => {
    it('guarantees each operation its lower bound when its probability keeps nothing', async () => {
      const s = await sampler(perOperation(0, 2, {}));

      // 10 s of one request per millisecond for each of two operations, interleaved.
      const rare = { decisions: 0, sampled: 0, lowerbound: 0 };
      const other = { decisions: 0, sampled: 0, lowerbound: 0 };
      for (let i = 0; i < 10_000; i++) {
        time.advance(1);
        for (const [name, tally] of [['GET /rare', rare], ['GET /other', other]] as const) {
          const result = s.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', name, SpanKind.SERVER, {}, []);
          if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) {
            tally.sampled++;
            if (result.attributes?.['sampler.type'] === 'lowerbound') tally.lowerbound++;
          }
        }
      }

      // Two at once (a new operation starts with a full allowance), then two per second.
      for (const tally of [rare, other]) {
        expect(tally.sampled).toBeGreaterThanOrEqual(21);
        expect(tally.sampled).toBeLessThanOrEqual(22);
        expect(tally.lowerbound).toBe(tally.sampled);
      }
    });

    it('writes the probability as the param of a lower-bound sample, as jaeger-client does', async () => {
      const s = await sampler(perOperation(0, 1, {}));

      const result = s.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'GET /x', SpanKind.SERVER, {}, []);

      expect(result.attributes).toEqual({ 'sampler.type': 'lowerbound', 'sampler.param': 0 });
    });

    it('charges traces kept by probability to the bound, as Jaeger’s guaranteed-throughput sampler', async () => {
      const s = await sampler(perOperation(0.5, 2, {}));

      // 500 kept by probability per second, far above the bound of 2.
      const tally = decide(s, 'GET /busy', 10_000, 7, { time, everyMs: 1 });

      expectBinomial(tally.byType.probabilistic ?? 0, 10_000, 0.5, 'probabilistic');
      // 22 credits in 10 s (two to start with). A trace kept by probability spends the credit
      // it finds, so the bound takes only those reached first by a trace probability dropped:
      // about half, where an uncharged bound would add all 22 on top.
      expect(tally.byType.lowerbound ?? 0).toBeGreaterThan(0);
      expect(tally.byType.lowerbound ?? 0).toBeLessThanOrEqual(16);
    });

    it('tops up a quiet operation to at least its bound', async () => {
      const s = await sampler(perOperation(0.01, 1, {}));

      // One request every 50 ms for 100 s: 20/s, of which 0.2/s kept by probability.
      const tally = decide(s, 'GET /quiet', 2_000, 8, { time, everyMs: 50 });

      expect(tally.sampled).toBeGreaterThanOrEqual(100);
      expect(tally.byType.lowerbound ?? 0).toBeLessThanOrEqual(101);
      expectBinomial(tally.byType.probabilistic ?? 0, 2_000, 0.01, 'probabilistic');
    });
  });

  describe('rate limiting', () => {
    it('keeps at most maxTracesPerSecond for the whole service', async () => {
      const s = await sampler(rateLimiting(5));

      const a = { sampled: 0 };
      for (let i = 0; i < 10_000; i++) {
        time.advance(1);
        for (const name of ['GET /a', 'GET /b']) {
          const result = s.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', name, SpanKind.SERVER, {}, []);
          if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) {
            a.sampled++;
            expect(result.attributes).toEqual({ 'sampler.type': 'ratelimiting', 'sampler.param': 5 });
          }
        }
      }

      // The five it starts with, then five per second, shared by both operations.
      expect(a.sampled).toBeGreaterThanOrEqual(54);
      expect(a.sampled).toBeLessThanOrEqual(55);
    });

    it('samples per operation when the rate-limited answer also carries operationSampling', async () => {
      const body = JSON.parse(perOperation(0, 0, { 'POST /pay': 1 })) as Record<string, unknown>;
      const s = await sampler(
        JSON.stringify({ ...body, strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 1 } }),
      );

      expect(decide(s, 'POST /pay', 1_000, 9).sampled).toBe(1_000);
      expect(decide(s, 'GET /other', 1_000, 10).sampled).toBe(0);
    });
  });

  describe('child spans', () => {
    const parent = (flags: TraceFlags, isRemote: boolean) =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: flags,
        isRemote,
      });

    it.each([true, false])('follow a parent’s decision (remote: %s), untagged and uncounted', async (isRemote) => {
      const s = await sampler(perOperation(0.5, 100, {}));
      const id = '0af7651916cd43dd8448eb211c80319c';

      for (let i = 0; i < 100; i++) {
        expect(s.shouldSample(parent(TraceFlags.SAMPLED, isRemote), id, 'child', SpanKind.CLIENT, {}, [])).toEqual({
          decision: SamplingDecision.RECORD_AND_SAMPLED,
        });
        expect(s.shouldSample(parent(TraceFlags.NONE, isRemote), id, 'child', SpanKind.CLIENT, {}, [])).toEqual({
          decision: SamplingDecision.NOT_RECORD,
        });
      }
      expect(s.drainWindow().operations).toEqual([]);
    });

    it('treat an invalid parent context as no parent', async () => {
      const s = await sampler(probabilistic(1));
      const invalid = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '00000000000000000000000000000000',
        spanId: '0000000000000000',
        traceFlags: TraceFlags.NONE,
      });

      const result = s.shouldSample(invalid, '0af7651916cd43dd8448eb211c80319c', 'GET /', SpanKind.SERVER, {}, []);

      expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(s.drainWindow().operations).toMatchObject([{ operation: 'GET /', count: 1, sampled: 1 }]);
    });
  });

  it('samples at initialProbability until the first strategy arrives', async () => {
    fake.strategy = { status: 200, body: probabilistic(1) };
    // The first poll is due at once, but this clock does not move: nothing is polled.
    const s = new SamplaneSampler({
      endpoint: fake.url,
      serviceName: 'checkout',
      initialProbability: 0.2,
      clock: time,
      scheduler: time,
    });
    samplers.push(s);

    expect(s.strategy).toEqual({ kind: 'probabilistic', probability: 0.2 });
    expectBinomial(decide(s, 'GET /', N, 11).sampled, N, 0.2, 'before the first poll');
    expect(fake.polls).toEqual([]);
  });

  it('defaults to 0.001 before the first poll, as Samplane does', () => {
    const s = new SamplaneSampler({ endpoint: fake.url, serviceName: 'checkout', clock: time, scheduler: time });
    samplers.push(s);

    expect(s.strategy).toEqual({ kind: 'probabilistic', probability: 0.001 });
  });

  it('polls GET /sampling with the service name percent-encoded', async () => {
    await sampler(probabilistic(0.5), { serviceName: 'svc a&b/é?', endpoint: `${fake.url}/` });

    expect(fake.polls).toEqual(['/sampling?service=svc%20a%26b%2F%C3%A9%3F']);
  });

  it('moves every known operation to the new rates on the next poll', async () => {
    const s = await sampler(perOperation(0.1, 0, { 'GET /cart': 0.1 }), { pollIntervalMs: 30_000 });
    expectBinomial(decide(s, 'GET /cart', N, 12).sampled, N, 0.1, 'before');
    expectBinomial(decide(s, 'GET /seen', N, 13).sampled, N, 0.1, 'before');

    fake.strategy = { status: 200, body: perOperation(0.3, 0, { 'GET /cart': 0.8 }) };
    time.advance(30_000);
    await expect(s.poll()).resolves.toBe(true);

    expectBinomial(decide(s, 'GET /cart', N, 14).sampled, N, 0.8, 'listed, after');
    expectBinomial(decide(s, 'GET /seen', N, 15).sampled, N, 0.3, 'seen before, unlisted, after');
    expect(s.toString()).toBe('SamplaneSampler{service=checkout, default=0.3, lowerBound=0/s, operations=1}');
  });
});
