import { hostname } from 'node:os';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { type SamplaneSampling, type SamplaneSamplingOptions, createSamplaneSampling } from '../../../src/client';
import { FakeSamplane, perOperation, probabilistic, rateLimiting } from './support/fake-samplane';
import { ManualTime } from './support/manual-time';

const WINDOW = 10_000;

describe('SamplaneSpanProcessor reporting throughput', () => {
  let fake: FakeSamplane;
  let time: ManualTime;
  let installed: SamplaneSampling;
  let provider: BasicTracerProvider;
  let tracer: Tracer;

  beforeEach(async () => {
    fake = await FakeSamplane.start();
    time = new ManualTime();
  });

  afterEach(async () => {
    fake.reportStatus = 202;
    fake.reportDelayMs = 0;
    await provider?.shutdown();
    await fake.stop();
  });

  async function install(strategy: string, options: Partial<SamplaneSamplingOptions> = {}): Promise<void> {
    fake.strategy = { status: 200, body: strategy };
    installed = createSamplaneSampling({
      endpoint: fake.url,
      serviceName: 'checkout',
      instance: 'pod-1',
      clock: time,
      scheduler: time,
      random: () => 0.5,
      ...options,
    });
    time.advance(0);
    await installed.sampler.poll();
    provider = new BasicTracerProvider({ sampler: installed.sampler, spanProcessors: [installed.spanProcessor] });
    tracer = provider.getTracer('test');
  }

  /** Root spans, each with a child; `errors` of them end with status ERROR. */
  function requests(name: string, count: number, errors = 0): void {
    for (let i = 0; i < count; i++) {
      const root = tracer.startSpan(name, { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      const child = tracer.startSpan('SELECT', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
      child.setStatus({ code: SpanStatusCode.ERROR });
      child.end();
      if (i < errors) root.setStatus({ code: SpanStatusCode.ERROR });
      root.end();
    }
  }

  /** Lets one report window pass and waits for what it sent. */
  async function endWindow(ms = WINDOW): Promise<void> {
    time.advance(ms);
    await installed.spanProcessor.idle();
  }

  it('sends one report per window: requests, sampled, errors and the probability, per operation', async () => {
    await install(perOperation(0, 0, { 'GET /cart': 1, 'POST /pay': 0 }));

    requests('GET /cart', 30, 7);
    // Never sampled: OpenTelemetry shows the processor nothing of these, errors included.
    requests('POST /pay', 20, 5);
    await endWindow();

    expect(fake.reports).toEqual([
      {
        service: 'checkout',
        instance: 'pod-1',
        windowSeconds: 10,
        operations: [
          { operation: 'GET /cart', count: 30, sampled: 30, sampledErrors: 7, probability: 1 },
          { operation: 'POST /pay', count: 20, sampled: 0, sampledErrors: 0, probability: 0 },
        ],
      },
    ]);

    requests('GET /cart', 5);
    await endWindow();
    expect(fake.reports[1].operations).toEqual([
      { operation: 'GET /cart', count: 5, sampled: 5, sampledErrors: 0, probability: 1 },
    ]);

    // Nothing happened: nothing is sent.
    await endWindow();
    expect(fake.reportAttempts).toBe(2);
  });

  it('does not count a trace kept only for the lower bound as sampled, as Jaeger does not', async () => {
    await install(perOperation(0, 1, {}));

    requests('GET /rare', 10);
    await endWindow();

    expect(fake.reports[0].operations).toEqual([
      { operation: 'GET /rare', count: 10, sampled: 0, sampledErrors: 0, probability: 0 },
    ]);
  });

  it('reports rate-limited traffic without a probability', async () => {
    await install(rateLimiting(2));

    requests('GET /a', 10);
    await endWindow();

    expect(fake.reports[0].operations).toEqual([{ operation: 'GET /a', count: 10, sampled: 2, sampledErrors: 0 }]);
  });

  it('counts a span in the window it started in, and its error in the window it ends in', async () => {
    await install(probabilistic(1));

    const slow = tracer.startSpan('GET /slow', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    await endWindow();
    requests('GET /slow', 1);
    slow.setStatus({ code: SpanStatusCode.ERROR });
    slow.end();
    await endWindow();

    expect(fake.reports.map((report) => report.operations)).toEqual([
      [{ operation: 'GET /slow', count: 1, sampled: 1, sampledErrors: 0, probability: 1 }],
      [{ operation: 'GET /slow', count: 1, sampled: 1, sampledErrors: 1, probability: 1 }],
    ]);
  });

  it('splits a window of more than 2000 operations into several reports', async () => {
    await install(probabilistic(1), { maxOperations: 2500 });

    for (let i = 0; i < 2500; i++) requests(`GET /item/${i}`, 1);
    await endWindow();

    expect(fake.reports.map((report) => report.operations.length)).toEqual([2000, 500]);
    expect(fake.reports.every((report) => report.windowSeconds === 10)).toBe(true);
    const names = new Set(fake.reports.flatMap((report) => report.operations.map((op) => op.operation)));
    expect(names.size).toBe(2500);
  });

  it('leaves out names Samplane would refuse', async () => {
    await install(probabilistic(1));

    requests('', 1);
    requests('x'.repeat(1025), 1);
    requests('GET /ok', 1);
    await endWindow();

    expect(fake.reports[0].operations.map((op) => op.operation)).toEqual(['GET /ok']);
    expect(installed.spanProcessor.stats.skippedOperations).toBe(2);
  });

  describe('when Samplane fails', () => {
    it('merges failed windows into the next report and backs off exponentially', async () => {
      await install(probabilistic(1), { maxPendingMs: 600_000 });
      fake.reportStatus = 503;

      const attempts: number[] = [];
      for (let window = 1; window <= 9; window++) {
        if (window === 8) fake.reportStatus = 202;
        requests('GET /a', 10);
        await endWindow();
        attempts.push(fake.reportAttempts);
      }

      // Tries after windows 1, 2, 4 and 8 (waits of 10, 20, 40 s), then every window again.
      expect(attempts).toEqual([1, 2, 2, 3, 3, 3, 3, 4, 5]);
      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 80, operations: [expect.objectContaining({ count: 80, sampled: 80 })] }),
        expect.objectContaining({ windowSeconds: 10, operations: [expect.objectContaining({ count: 10 })] }),
      ]);
      expect(installed.spanProcessor.stats).toMatchObject({ sent: 2, failed: 3, droppedOperations: 0 });
    });

    it('caps the backoff at maxBackoffMs', async () => {
      await install(probabilistic(1), { maxBackoffMs: 30_000 });
      fake.reportStatus = 500;

      const attempts: number[] = [];
      for (let window = 1; window <= 10; window++) {
        requests('GET /a', 1);
        await endWindow();
        attempts.push(fake.reportAttempts);
      }

      // Waits of 10, 20, then 30 s at most.
      expect(attempts).toEqual([1, 2, 2, 3, 3, 3, 4, 4, 4, 5]);
    });

    it('holds back at most maxPendingMs of counts, dropping the oldest', async () => {
      await install(probabilistic(1), { maxPendingMs: 20_000 });
      fake.reportStatus = 503;

      for (let window = 1; window <= 8; window++) {
        if (window === 8) fake.reportStatus = 202;
        requests(`GET /w${window}`, 1);
        await endWindow();
      }

      expect(fake.reports).toHaveLength(1);
      expect(fake.reports[0].windowSeconds).toBe(20);
      expect(fake.reports[0].operations.map((op) => op.operation)).toEqual(['GET /w7', 'GET /w8']);
      expect(installed.spanProcessor.stats.droppedOperations).toBe(6);
    });

    it('survives a Samplane that is down, and delivers once it is back', async () => {
      await install(probabilistic(1));
      await fake.stop();

      requests('GET /a', 3);
      await endWindow();
      expect(installed.spanProcessor.stats.failed).toBe(1);

      await fake.restart();
      requests('GET /a', 4);
      await endWindow();

      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 20, operations: [expect.objectContaining({ count: 7 })] }),
      ]);
    });

    it('never makes the application wait for a Samplane that hangs', async () => {
      await install(probabilistic(1), { requestTimeoutMs: 200 });
      fake.reportDelayMs = 5_000;

      requests('GET /a', 3);
      time.advance(WINDOW);
      // The report hangs; spans go on being decided and counted, and the next window rolls.
      requests('GET /a', 4);
      time.advance(WINDOW);
      const started = Date.now();
      await installed.spanProcessor.idle();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(installed.spanProcessor.stats.failed).toBe(1);

      fake.reportDelayMs = 0;
      await endWindow();
      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 30, operations: [expect.objectContaining({ count: 7 })] }),
      ]);
    });

    it('drops a report Samplane refuses as invalid, without backing off', async () => {
      await install(probabilistic(1));
      fake.reportStatus = 400;

      requests('GET /a', 3);
      await endWindow();
      fake.reportStatus = 202;
      requests('GET /a', 4);
      await endWindow();

      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 10, operations: [expect.objectContaining({ count: 4 })] }),
      ]);
      expect(installed.spanProcessor.stats).toMatchObject({ refused: 1, droppedOperations: 1, failed: 0 });
    });
  });

  describe('flushing and shutting down', () => {
    it('forceFlush sends the window so far at once', async () => {
      await install(probabilistic(1));

      requests('GET /a', 3);
      time.advance(2_500);
      await installed.spanProcessor.forceFlush();

      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 2.5, operations: [expect.objectContaining({ count: 3 })] }),
      ]);
    });

    it('forceFlush keeps to the backoff; shutdown sends regardless', async () => {
      await install(probabilistic(1));
      fake.reportStatus = 503;
      requests('GET /a', 3);
      await endWindow();
      fake.reportStatus = 202;

      requests('GET /a', 1);
      await installed.spanProcessor.forceFlush();
      expect(fake.reportAttempts).toBe(1);

      await provider.shutdown();
      expect(fake.reports).toEqual([expect.objectContaining({ operations: [expect.objectContaining({ count: 4 })] })]);
    });

    it('shutdown sends the last window, then stops polling and reporting', async () => {
      await install(probabilistic(1));
      requests('GET /a', 3);
      time.advance(4_000);

      await provider.shutdown();

      expect(fake.reports).toEqual([
        expect.objectContaining({ windowSeconds: 4, operations: [expect.objectContaining({ count: 3 })] }),
      ]);
      expect(time.pending).toBe(0);
      time.advance(10 * 60_000);
      expect(fake.polls).toHaveLength(1);
      expect(fake.reportAttempts).toBe(1);
    });
  });

  it('names the instance hostname:pid by default', async () => {
    await install(probabilistic(1), { instance: undefined });

    requests('GET /a', 1);
    await endWindow();

    expect(fake.reports[0].instance).toBe(`${hostname()}:${process.pid}`);
  });
});
