import { readFileSync, readdirSync } from 'node:fs';
import { metricValue } from '../support/metrics-text';
import { RedisServer } from '../support/redis-server';
import { FAST_ENGINE } from '../support/replica-set';
import { SamplaneProcess } from '../support/samplane-process';
import { pollStrategy, servedRate } from '../support/served-strategy';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, policyPath } from './policies-http';

const SERVICE = 'checkout';
const OPERATION = 'GET /cart';
const REQUESTS_PER_SECOND = 200;

/** The nice value of each of a process's threads (Linux keeps one per thread). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  });
}

async function servedProbability(replica: SamplaneProcess): Promise<number | undefined> {
  return servedRate(await pollStrategy(replica.url, SERVICE), OPERATION);
}

/**
 * A leader on Redis calculates on a thread of its own at a lower priority (nice 10), so on a
 * busy machine the kernel runs the thread answering polls first. The calculation there must
 * be the whole calculation: adapted rates served, operator policies followed, per-operation
 * metrics exported from the serving thread. ADAPTIVE_CALCULATION_THREAD=main keeps it on the
 * event loop, with the same results.
 */
describe.each([
  ['worker', true],
  ['main', false],
])('ADAPTIVE_CALCULATION_THREAD=%s', (mode, onThread) => {
  let redis: RedisServer;
  let replica: SamplaneProcess;
  let reporter: SteadyReporter;

  beforeAll(async () => {
    redis = await RedisServer.start();
    replica = await SamplaneProcess.start({
      ...FAST_ENGINE,
      REDIS_URL: redis.url,
      ADMIN_TOKENS,
      ADAPTIVE_CALCULATION_THREAD: mode,
    });
    reporter = new SteadyReporter(replica.url, [{ service: SERVICE, operation: OPERATION, requestsPerSecond: REQUESTS_PER_SECOND }]);
    reporter.start();
  });

  afterAll(async () => {
    await reporter?.stop();
    await replica?.stop();
    await redis?.destroy();
  });

  it('adapts the served probability to target ÷ rate', async () => {
    // Default target 1 sampled trace/s: 1/200 per request.
    await waitFor(async () => Math.abs(((await servedProbability(replica)) ?? 0) / 0.005 - 1) < 0.3, 'served 0.005 ± 30 %', 30_000, 200);
    expect(reporter.failures).toEqual([]);
    expect(await replica.metric('samplane_calculations_total', { outcome: 'computed' })).toBeGreaterThan(0);
    expect(await replica.metric('samplane_calculations_total', { outcome: 'failed' })).toBe(0);
    // The calculator's state, saved after each calculation for a next leader, reached Redis.
    expect(await replica.metric('samplane_calculator_state_saves_total', { outcome: 'saved' })).toBeGreaterThan(0);
    expect(await replica.metric('samplane_calculator_state_saves_total', { outcome: 'failed' })).toBe(0);
    // Every interval read whole: the leader keeps up.
    expect(await replica.metric('samplane_calculation_unread_seconds_total', {})).toBe(0);
  });

  it('exports the per-operation gauges of the last calculation', async () => {
    const probability = await replica.metric('samplane_operation_probability', { service: SERVICE, operation: OPERATION });
    expect(Math.abs(probability / 0.005 - 1)).toBeLessThan(0.3);
    expect(await replica.metric('samplane_operations', { service: SERVICE })).toBe(1);
  });

  it('follows an operator policy written after the calculation started', async () => {
    const admin = new AdminClient(replica.url, OPERATOR_TOKEN);
    const written = await admin.put(policyPath(SERVICE), { mode: 'adaptive', targetSamplesPerSecond: 4 });
    expect(written.status).toBeLessThan(300);
    // 4 sampled traces/s of 200 requests/s.
    await waitFor(async () => Math.abs(((await servedProbability(replica)) ?? 0) / 0.02 - 1) < 0.3, 'served 0.02 ± 30 %', 30_000, 200);
  });

  it(onThread ? 'exports the calculation thread’s own memory' : 'exports no calculation thread memory', async () => {
    const series = (kind: string) => replica.metric('samplane_calculation_thread_memory_bytes', { kind });
    if (!onThread) {
      await expect(series('heap_used')).rejects.toThrow('has no samplane_calculation_thread_memory_bytes');
      return;
    }
    // Reported after each calculation, and again at each scrape.
    await waitFor(async () => (await series('heap_used')) > 0, 'the thread to report its memory', 30_000, 200);
    // One scrape's values, from one report.
    const { body } = await replica.get('/metrics');
    const [used, total, external] = ['heap_used', 'heap_total', 'external'].map(
      (kind) => metricValue(body, 'samplane_calculation_thread_memory_bytes', { kind }) ?? NaN,
    );
    expect(used).toBeGreaterThan(1024 * 1024);
    expect(used).toBeLessThanOrEqual(total);
    expect(external).toBeGreaterThan(0);
  });

  it(onThread ? 'runs it on a thread of lower priority than the one answering polls' : 'runs it on the event loop', () => {
    const nices = threadNices(replica.pid as number);
    // The process's main thread (its id is the pid) answers polls at the default priority.
    expect(nices[readdirSync(`/proc/${replica.pid}/task`).indexOf(String(replica.pid))]).toBe(0);
    // One calculation thread, not one per provider Nest resolves to it.
    expect(nices.filter((nice) => nice === 10)).toHaveLength(onThread ? 1 : 0);
  });

  it('closes every Redis connection it holds with QUIT on SIGTERM, the thread’s included', async () => {
    await reporter.stop();
    const quits = async () => Number(/cmdstat_quit:calls=(\d+)/.exec(await redis.cli('INFO', 'commandstats'))?.[1] ?? 0);
    const before = await quits();
    // Every connection but redis-cli's own: the replica's three, and the thread's two.
    const connections = async () => (await redis.cli('CLIENT', 'LIST')).trim().split('\n').length - 1;
    await waitFor(async () => (await connections()) === (onThread ? 5 : 3), 'the replica’s connections', 10_000, 50);
    const held = await connections();
    expect(await replica.stop('SIGTERM')).toBe(0);
    expect(replica.output).toContain('"stopped"');
    // Ended from outside while a socket of its own was reading, the thread could abort the process.
    expect(replica.output).not.toContain('did not end when asked');
    expect((await quits()) - before).toBe(held);
  });
});
