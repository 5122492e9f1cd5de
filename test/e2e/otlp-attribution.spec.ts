import { randomBytes } from 'node:crypto';
import { ExportRequest } from '../support/otlp-request';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE, RedisPeek, SnapshotLog, served } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath, sqliteDir } from './policies-http';


const SERVICE = 'attribution';
const OPERATION = 'GET /x';

/** Untagged root spans of SERVICE/OPERATION that started (and ended) at the given times (ms). */
function spansAt(startsMs: number[]): Buffer {
  const nanos = (ms: number) => BigInt(ms) * 1_000_000n;
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
        scopeSpans: [
          {
            spans: startsMs.map((ms) => ({
              traceId: randomBytes(16),
              spanId: randomBytes(8),
              name: OPERATION,
              startTimeUnixNano: nanos(ms).toString(),
              endTimeUnixNano: nanos(ms).toString(),
            })),
          },
        ],
      },
    ],
  };
  return Buffer.from(ExportRequest.encode(ExportRequest.fromObject(request)).finish());
}

/**
 * An OpenTelemetry SDK writes no sampler tags, and its batch span processor exports spans up to
 * 5 s after it sampled them: a batch sent just after the served probability changed holds spans
 * sampled at the old one. Each is counted at the probability served when it started, told by
 * how long before the batch's newest span it started (the sender's clock against itself).
 */
describe('OTLP spans without sampler tags, counted at the probability served when they started', () => {
  let redis: RedisServer;
  let samplane: SamplaneProcess;
  let peek: RedisPeek;
  let log: SnapshotLog;
  const dir = sqliteDir();

  beforeAll(async () => {
    redis = await RedisServer.start();
    samplane = await SamplaneProcess.start({ ...FAST_ENGINE, REDIS_URL: redis.url, ADMIN_TOKENS, SQLITE_PATH: dir.path });
    peek = await RedisPeek.connect(redis);
    log = new SnapshotLog(peek);
  });

  afterAll(async () => {
    await log?.stop();
    peek?.close();
    await samplane?.stop();
    await redis?.destroy();
    dir.remove();
  });

  it('counts a batch that spans a change of probability at both probabilities', async () => {
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    const servedRate = async () => (await served(samplane, SERVICE)).defaultProbability;
    expect((await operator.put(policyPath(SERVICE), { mode: 'probabilistic', samplingRate: 0.5 })).status).toBe(201);
    await waitFor(async () => (await servedRate()) === 0.5, '0.5 to be served');
    // Spans sampled now are sampled at 0.5. Two calculations later (seconds, not milliseconds,
    // so that the change below is well after them), the policy changes to 0.1.
    const early = Date.now();
    const version = log.latest?.version ?? 0;
    await log.next(version, 'a calculation');
    await log.next((log.latest?.version ?? 0), 'another calculation');
    expect((await operator.put(policyPath(SERVICE), { mode: 'probabilistic', samplingRate: 0.1 })).status).toBe(200);
    await waitFor(async () => (await servedRate()) === 0.1, '0.1 to be served');
    const late = Date.now();

    // One batch: ten spans sampled at 0.5 (2 requests each), ten at 0.1 (10 requests each).
    const before = log.latest?.version ?? 0;
    const response = await fetch(`${samplane.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: spansAt([...Array<number>(10).fill(early), ...Array<number>(10).fill(late)]),
    });
    expect(response.status).toBe(200);
    const counted = await log.next(
      before,
      'a calculation over the batch',
      15_000,
      (s) => (s as unknown as { traffic?: Record<string, Record<string, { requestsPerSecond: number }>> }).traffic?.[SERVICE]?.[OPERATION] !== undefined,
    );
    const traffic = (counted as unknown as { traffic: Record<string, Record<string, { requestsPerSecond: number; sampledPerSecond: number }>> })
      .traffic;
    // 120 requests for 20 spans, whatever the bucket's length (2 s, or 3 s when a tick ran late):
    // all at what is served now they would be 200, all at the old probability 40.
    const { requestsPerSecond, sampledPerSecond } = traffic[SERVICE][OPERATION];
    expect(requestsPerSecond / sampledPerSecond).toBeCloseTo(120 / 20, 9);
  });
});
