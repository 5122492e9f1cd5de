import Redis, { Cluster } from 'ioredis';
import { RedisServer } from '../redis-server';
import { RedisClusterFixture, RedisSentinelFixture } from '../redis-topologies';

export type FleetTopology = 'single' | 'cluster' | 'sentinel';

/**
 * The Redis a large-fleet run shares between its replicas: one throwaway `redis-server`, a
 * six-node Redis Cluster, or a primary and its replica behind three sentinels. Besides the
 * replicas' settings it gives the harness a client and a connection to every node, for the
 * slow log, CPU and key sizes, which are per node.
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
    private readonly sentinel?: RedisSentinelFixture,
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
    if (topology === 'sentinel') return FleetRedis.startSentinel();
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

  private static async startSentinel(): Promise<FleetRedis> {
    const sentinel = await RedisSentinelFixture.start();
    const nodes: Redis[] = [];
    try {
      // The harness's client follows the sentinels to whichever server is primary, as the replicas do.
      const client = new Redis({ sentinels: sentinel.target.sentinels, name: RedisSentinelFixture.MASTER, maxRetriesPerRequest: 2 });
      client.on('error', () => undefined);
      nodes.push(client);
      for (const port of sentinel.serverPorts) {
        const node = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 2 });
        node.on('error', () => undefined);
        nodes.push(node);
      }
      const env = { REDIS_SENTINELS: sentinel.sentinelList, REDIS_SENTINEL_MASTER: RedisSentinelFixture.MASTER };
      const servers = nodes.slice(1);
      return new FleetRedis('sentinel', env, client, { master: servers.slice(0, 1), all: servers }, () => sentinel.destroy(), undefined, sentinel);
    } catch (error) {
      for (const node of nodes) node.disconnect();
      await sentinel.destroy();
      throw error;
    }
  }

  /**
   * Every node (`all`), or those holding keys (`master`), but those killed. After a failover
   * the cluster's masters are read again, the promoted replica among them; behind sentinels,
   * the server they name primary.
   */
  async nodes(role: 'master' | 'all'): Promise<Redis[]> {
    if (this.sentinel) {
      const live = this.connections.all.filter((node) => !this.killed.has(Number(node.options.port)));
      if (role === 'all') return live;
      const primary = await this.sentinel.primaryPort();
      return live.filter((node) => Number(node.options.port) === primary);
    }
    if (!(this.client instanceof Cluster) || this.killed.size === 0) return this.connections[role];
    const client = this.client;
    await this.cluster?.healthy();
    await new Promise<void>((resolve, reject) => client.refreshSlotsCache((error) => (error ? reject(error) : resolve())));
    return client.nodes(role).filter((node) => !this.killed.has(Number(node.options.port)));
  }

  /**
   * kill -9 of the cluster master serving `key`, or of the sentinels' primary (which holds every
   * key), once its replica caught up; the replica takes over.
   */
  async killMasterOf(key: string): Promise<{ port: number; key: string }> {
    let port: number;
    if (this.sentinel) port = await this.sentinel.killPrimary();
    else if (this.cluster) {
      port = await this.cluster.masterOf(key);
      await this.cluster.killMaster(port);
    } else throw new Error('a single Redis has no replica to fail over to');
    this.killed.add(port);
    return { port, key };
  }

  async destroy(): Promise<void> {
    this.client.disconnect();
    if (this.sentinel) for (const node of this.connections.all) node.disconnect();
    await this.destroyServers();
  }
}
