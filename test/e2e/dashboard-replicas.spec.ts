import { RedisServer } from '../support/redis-server';
import { ReplicaSet } from '../support/replica-set';
import { SteadyReporter } from '../support/steady-reporter';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, VIEWER_TOKEN } from './policies-http';

interface History {
  points: { at: string; requestsPerSecond: number; operations: { operation: string }[] }[];
}

/**
 * On Redis, the history and the engine's state are the shared store's: whichever replica the
 * dashboard asks shows the same calculations, written by whichever replica leads.
 */
describe('dashboard API across replicas on Redis', () => {
  let redis: RedisServer;
  let replicas: ReplicaSet;
  let reporter: SteadyReporter;

  beforeAll(async () => {
    redis = await RedisServer.start();
    replicas = await ReplicaSet.start(redis, 2, { ADMIN_TOKENS });
    reporter = new SteadyReporter(replicas.replicas[0].url, [{ service: 'checkout', operation: 'GET /cart', requestsPerSecond: 1000 }]);
    reporter.start();
  });

  afterAll(async () => {
    await reporter?.stop();
    await replicas?.stopAll();
    await redis?.destroy();
  });

  it('shows every replica the same history and the same leader', async () => {
    const leader = await replicas.waitForLeader();
    const follower = replicas.replicas.find((r) => r !== leader);
    if (!follower) throw new Error('no follower');
    const read = async (url: string, path: string): Promise<unknown> => {
      const answer = await new AdminClient(url, VIEWER_TOKEN).get(path);
      if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}: ${answer.text}`);
      return answer.body;
    };
    const [fromLeader, fromFollower] = await waitFor(
      async () => {
        const both = (await Promise.all([leader.url, follower.url].map((url) => read(url, '/api/v1/services/checkout/history')))) as History[];
        const same = JSON.stringify(both[0].points) === JSON.stringify(both[1].points);
        return same && both[0].points.length >= 3 ? both : undefined;
      },
      'three calculations in the history, the same on both replicas',
      30_000,
      200,
    );
    expect(fromFollower.points).toEqual(fromLeader.points);
    expect(fromFollower.points.at(-1)?.operations.map((op) => op.operation)).toEqual(['GET /cart']);

    const engines = (await Promise.all([leader.url, follower.url].map((url) => read(url, '/api/v1/engine')))) as {
      replica: string;
      leader: string;
      thisReplicaLeads: boolean;
      dependencies: Record<string, { status: string; kind: string }>;
    }[];
    expect(engines.map((e) => e.thisReplicaLeads)).toEqual([true, false]);
    expect(engines[1].leader).toBe(engines[0].replica);
    expect(engines[1].dependencies.store).toMatchObject({ status: 'up', kind: 'redis' });
  });
});
