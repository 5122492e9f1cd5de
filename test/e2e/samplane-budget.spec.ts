import { SamplaneProcess } from '../support/samplane-process';
import { ServedWatch } from '../support/served-watch';
import { type SimulatedOperation, SimulatedFleet } from '../support/simulated-fleet';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN, VIEWER_TOKEN, policyPath } from './policies-http';

const SERVICE = 'checkout';
const BUDGET = 30;
/** Very different rates: the smallest cannot use a third of the budget, the others can. */
const TRAFFIC: SimulatedOperation[] = [
  { operation: 'GET /rare', requestsPerSecond: 10 },
  { operation: 'GET /cart', requestsPerSecond: 1_000 },
  { operation: 'GET /search', requestsPerSecond: 5_000 },
];
/** Max-min fair: /rare takes its whole demand (10/s), the other two split the rest equally. */
const FAIR: Record<string, number> = { 'GET /rare': 10, 'GET /cart': 10, 'GET /search': 10 };
const BUDGET_ERROR = 0.1;
/**
 * Each share rests on one operation's rate estimate from 2 s buckets, which a report arriving
 * a moment late on a busy machine moves by more than the total (whose errors partly cancel).
 * Still far from any unfair split: proportional shares would be 0.05, 5 and 25.
 */
const SHARE_ERROR = 0.2;
/** Calculations the budget must hold for once reached. */
const HELD = 2;

interface ServiceView {
  operations: Array<{
    operation: string;
    probability: number | null;
    source: string;
    reason: string;
    inputs: { target: number; budget?: number; requestRate?: number } | null;
  }>;
}

/**
 * A service budget set by an operator policy, under `ADAPTIVE_ALGORITHM=samplane`, with a
 * simulated fleet that obeys what Samplane serves and reports its exact request counts.
 */
describe('a service budget under samplane', () => {
  let samplane: SamplaneProcess;
  let fleet: SimulatedFleet | undefined;
  let watch: ServedWatch | undefined;
  let admin: AdminClient;

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({
      ADAPTIVE_ALGORITHM: 'samplane',
      ADAPTIVE_CALCULATION_INTERVAL: '2s',
      ADAPTIVE_DELAY: '1s',
      ADMIN_TOKENS,
    });
    admin = new AdminClient(samplane.url, OPERATOR_TOKEN);
  }, 30_000);

  afterAll(async () => {
    await fleet?.stop();
    await watch?.stop();
    await samplane?.stop();
  });

  const expected = (operations: Record<string, number>, fallback: number) =>
    Object.fromEntries(
      TRAFFIC.map(({ operation, requestsPerSecond }) => [operation, (operations[operation] ?? fallback) * requestsPerSecond]),
    );
  const total = (shares: Record<string, number>) => Object.values(shares).reduce((sum, s) => sum + s, 0);
  const withinBudget = (shares: Record<string, number>) => Math.abs(total(shares) - BUDGET) / BUDGET <= BUDGET_ERROR;
  // The first calculation may rest on a partly filled bucket; from the one that reaches the fair
  // split on, every calculation must keep it.
  const atFairShares = (shares: Record<string, number>) =>
    withinBudget(shares) && Object.entries(FAIR).every(([operation, fair]) => Math.abs(shares[operation] - fair) / fair <= SHARE_ERROR);

  it('keeps Σ(p·rate) within 10 % of the budget, shared max-min fairly, and explains the shares', async () => {
    const put = await admin.put(policyPath(SERVICE), { mode: 'adaptive', budgetTracesPerSecond: BUDGET });
    expect(put.status).toBe(201);
    watch = new ServedWatch(samplane, SERVICE);
    fleet = new SimulatedFleet({ service: SERVICE, operations: TRAFFIC, targets: () => [samplane], tickMs: 1_000, maxDurationMs: 60_000 });
    fleet.start();

    const trace = () => TRAFFIC.map(({ operation }) => `--- ${operation} ---\n${watch?.trace(operation)}`).join('\n');
    const reached = await waitFor(
      () => {
        const latest = watch?.latest;
        return latest && latest.version > 0 && atFairShares(expected(latest.operations, latest.defaultProbability))
          ? latest.version
          : undefined;
      },
      'the expected sampled traffic to come within 10 % of the budget, at fair shares',
      30_000,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${trace()}`);
    });
    await waitFor(
      async () => (await samplane.metric('samplane_snapshot_version')) >= reached + HELD,
      `${HELD} more calculations`,
      20_000,
      100,
    );

    for (const version of [reached, reached + 1, reached + HELD]) {
      const operations = Object.fromEntries(
        TRAFFIC.map(({ operation }) => [operation, watch?.probabilityAt(operation, version) ?? NaN]),
      );
      const shares = expected(operations, NaN);
      const detail = `v${version}: ${JSON.stringify(shares)}\n${trace()}`;
      if (!withinBudget(shares)) throw new Error(`budget missed: ${detail}`);
      for (const [operation, fair] of Object.entries(FAIR)) {
        if (Math.abs(shares[operation] - fair) / fair > SHARE_ERROR) throw new Error(`${operation} not at its fair share: ${detail}`);
      }
      // The smallest operation's demand (10/s) is the fair level itself: it is sampled in full,
      // as far as its own rate estimate allows (the share's tolerance; proportional: 0.005).
      expect(operations['GET /rare']).toBeGreaterThanOrEqual(1 - SHARE_ERROR);
    }
    const final = expected(watch.latest?.operations ?? {}, NaN);
    console.log(`budget ${BUDGET}/s: Σ(p·rate) = ${total(final).toFixed(3)}, shares ${JSON.stringify(final)}`);

    const view = await admin.as(VIEWER_TOKEN).get(`/api/v1/services/${encodeURIComponent(SERVICE)}`);
    expect(view.status).toBe(200);
    const operations = (view.body as ServiceView).operations;
    for (const { operation } of TRAFFIC) {
      const entry = operations.find((o) => o.operation === operation);
      expect(entry?.inputs?.budget).toBe(BUDGET);
      expect(entry?.reason).toContain(`service budget of ${BUDGET}/s`);
      expect(Math.abs((entry?.inputs?.target ?? NaN) - FAIR[operation]) / FAIR[operation]).toBeLessThanOrEqual(SHARE_ERROR);
    }
  }, 60_000);
});
