import Redis, { Cluster } from 'ioredis';
import { RedisServer } from '../redis-server';
import { RedisClusterFixture } from '../redis-topologies';

export type FleetTopology = 'single' | 'cluster';

/**
 * The Redis a large-fleet run shares between its replicas: one throwaway `redis-server`, or a
 * six-node Redis Cluster. Besides the replicas' settings it gives the harness a client and a
 * connection to every node, for the slow log, CPU and key sizes, which are per node.
 */
export class FleetRedis {
  private constructor(
    readonly topology: FleetTopology,
    /** REDIS_URL or REDIS_CLUSTER_NODES for the replicas. */
    readonly replicaEnv: Record<string, string>,
    readonly client: Redis | Cluster,
    private readonly connections: { master: Redis[]; all: Redis[] },
    private readonly destroyServers: () => Promise<void>,
  ) {}

  static async start(topology: FleetTopology): Promise<FleetRedis> {
    if (topology === 'single') {
      const server = await RedisServer.start();
      try {
        const client = new Redis(server.url, { maxRetriesPerRequest: 2 });
        client.on('error', () => undefined);
        return new FleetRedis(topology, { REDIS_URL: server.url }, client, { master: [client], all: [client] }, () => server.destroy());
      } catch (error) {
        await server.destroy();
        throw error;
      }
    }
    const cluster = await RedisClusterFixture.start();
    try {
      const client = new Cluster(cluster.target.kind === 'cluster' ? cluster.target.nodes : [], { redisOptions: { maxRetriesPerRequest: 2 } });
      client.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('end', () => reject(new Error('the cluster client closed before it was ready')));
      });
      const connections = { master: client.nodes('master'), all: client.nodes('all') };
      return new FleetRedis(topology, { REDIS_CLUSTER_NODES: cluster.seeds }, client, connections, () => cluster.destroy());
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /** Every node (`all`), or those holding keys (`master`). */
  nodes(role: 'master' | 'all'): Redis[] {
    return this.connections[role];
  }

  async destroy(): Promise<void> {
    this.client.disconnect();
    await this.destroyServers();
  }
}
