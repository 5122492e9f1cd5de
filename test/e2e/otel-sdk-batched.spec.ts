import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE, served } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';

const SERVICE = 'shop';
const TARGET = 10;
const RATES: Record<string, number> = { 'GET /cart': 2_000, 'POST /pay': 200 };
const OPERATIONS = Object.keys(RATES);
/** How long the application runs, and the last stretch over which it is judged. */
const RUN_SECONDS = 75;
const JUDGED_SECONDS = 20;

interface SecondReport {
  type: 'second';
  sampled: Record<string, number>;
  partial?: boolean;
}
type AppMessage = SecondReport | { type: 'polled' } | { type: 'done' } | { type: 'error'; message: string };

/**
 * An OpenTelemetry JS SDK application left at its defaults: its batch span processor exports
 * every 5 s, so with a 2 s calculation interval every bucket with spans follows one without.
 * Samplane must take that as the wait for the next batch, not as the traffic pausing (which
 * kept a probability the first batches had set wrong for good: 0.02 instead of 0.05, 4
 * sampled traces/s instead of 10), and count each batch at the probabilities its spans were
 * sampled at.
 */
describe('an unmodified OpenTelemetry JS SDK application (5 s export batches) adapting through Samplane', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let app: Worker | undefined;

  beforeAll(async () => {
    redis = await RedisServer.start();
    samplane = await SamplaneProcess.start({
      ...FAST_ENGINE,
      REDIS_URL: redis.url,
      ADAPTIVE_TARGET_SAMPLES_PER_SECOND: String(TARGET),
    });
  });

  afterAll(async () => {
    await app?.terminate();
    await samplane?.stop();
    await redis?.destroy();
  });

  it('brings both operations near the target and keeps them there', async () => {
    const seconds: SecondReport[] = [];
    let done = false;
    let failure: string | undefined;
    app = new Worker(join(__dirname, '..', 'support', 'otel-app-worker.js'), {
      workerData: {
        endpoint: samplane.url,
        service: SERVICE,
        rates: RATES,
        pollingIntervalMs: 500,
        maxDurationMs: RUN_SECONDS * 1000,
        exportDelayMs: null,
      },
    });
    app.on('message', (message: AppMessage) => {
      if (message.type === 'second') seconds.push(message);
      else if (message.type === 'done') done = true;
      else if (message.type === 'error') failure = message.message;
    });
    app.on('error', (error) => (failure = String(error)));

    const history: Record<string, number[]> = Object.fromEntries(OPERATIONS.map((op) => [op, []]));
    await waitFor(
      async () => {
        if (failure) throw new Error(failure);
        const answer = await served(samplane, SERVICE);
        for (const op of OPERATIONS) {
          const p = answer.operations[op] ?? answer.defaultProbability;
          if (p !== history[op][history[op].length - 1]) history[op].push(p);
        }
        return done;
      },
      'the application to run its course',
      (RUN_SECONDS + 20) * 1000,
      500,
    );

    const whole = seconds.filter((s) => !s.partial);
    const last = whole.slice(-JUDGED_SECONDS);
    const explain = JSON.stringify({ served: history, sampled: last.map((s) => s.sampled) });
    for (const op of OPERATIONS) {
      const rate = last.reduce((sum, s) => sum + s.sampled[op], 0) / last.length;
      if (rate < TARGET * 0.6 || rate > TARGET * 1.6) throw new Error(`${op} ends at ${rate} sampled/s: ${explain}`);
      // What it is served at the end: near target ÷ rate, not stuck at a fraction of it.
      const p = history[op][history[op].length - 1];
      const goal = TARGET / RATES[op];
      if (p < goal * 0.6 || p > goal * 1.6) throw new Error(`${op} is served ${p} at the end (goal ${goal}): ${explain}`);
    }
  }, (RUN_SECONDS + 40) * 1000);
});
