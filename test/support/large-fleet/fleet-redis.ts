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
  /** Nodes killed on purpose: left out of the per-node readings. */
  private readonly killed = new Set<number>();

  private constructor(
    readonly topology: FleetTopology,
    /** REDIS_URL or REDIS_CLUSTER_NODES for the replicas. */
    readonly replicaEnv: Record<string, string>,
    readonly client: Redis | Cluster,
    private readonly connections: { master: Redis[]; all: Redis[] },
    private readonly destroyServers: () => Promise<void>,
    private readonly cluster?: RedisClusterFixture,
  ) {}

  /** @param clusterNodeTimeoutMs a cluster's `cluster-node-timeout` (the fixture's short one by default) */
  static async start(topology: FleetTopology, clusterNodeTimeoutMs?: number): Promise<FleetRedis> {
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
    const cluster = await RedisClusterFixture.start(clusterNodeTimeoutMs);
    try {
      const client = new Cluster(cluster.target.kind === 'cluster' ? cluster.target.nodes : [], { redisOptions: { maxRetriesPerRequest: 2 } });
      client.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        client.once('ready', resolve);
        client.once('end', () => reject(new Error('the cluster client closed before it was ready')));
      });
      const connections = { master: client.nodes('master'), all: client.nodes('all') };
      return new FleetRedis(topology, { REDIS_CLUSTER_NODES: cluster.seeds }, client, connections, () => cluster.destroy(), cluster);
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  /**
   * Every node (`all`), or those holding keys (`master`), but those killed. After a failover
   * the cluster's masters are read again, the promoted replica among them.
   */
  async nodes(role: 'master' | 'all'): Promise<Redis[]> {
    if (!(this.client instanceof Cluster) || this.killed.size === 0) return this.connections[role];
    const client = this.client;
    await this.cluster?.healthy();
    await new Promise<void>((resolve, reject) => client.refreshSlotsCache((error) => (error ? reject(error) : resolve())));
    return client.nodes(role).filter((node) => !this.killed.has(Number(node.options.port)));
  }

  /** kill -9 of the cluster master serving `key` (once its replica caught up); its replica takes over. */
  async killMasterOf(key: string): Promise<{ port: number; key: string }> {
    if (!this.cluster) throw new Error('only a cluster has masters to fail over');
    const port = await this.cluster.masterOf(key);
    await this.cluster.killMaster(port);
    this.killed.add(port);
    return { port, key };
  }

  async destroy(): Promise<void> {
    this.client.disconnect();
    await this.destroyServers();
  }
}
