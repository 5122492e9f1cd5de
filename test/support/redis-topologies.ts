import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisTarget } from '../../src/config/redis-target';
import { freePort } from './ports';
import { type RedisTlsSetup, tlsCliArgs, tlsServerArgs } from './redis-tls';
import { waitFor } from './wait';

const run = promisify(execFile);

/** One redis-server (or redis-sentinel) process on loopback, killable at will. */
class Node {
  process: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly args: string[],
    private readonly binary = process.env.REDIS_SERVER_BIN ?? 'redis-server',
  ) {}

  async start(): Promise<void> {
    this.process = spawn(this.binary, this.args, { stdio: 'ignore' });
    await waitFor(async () => (await cli(this.port, 'PING').catch(() => '')) === 'PONG', `redis on ${this.port}`);
  }

  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * How a fixture's servers and sentinels are secured: TLS only, and passwords (every server's
 * `requirepass`, which replicas and sentinels are given too, and the sentinels' own).
 */
export interface RedisSecuritySetup {
  tls?: RedisTlsSetup;
  password?: string;
  /** The sentinels' own `requirepass` (they reach the servers with `password`). */
  sentinelPassword?: string;
}

/** The redis-cli flags that reach a port secured by a fixture. */
const cliFlags = new Map<number, string[]>();

export async function cli(port: number, ...args: string[]): Promise<string> {
  const flags = cliFlags.get(port) ?? [];
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...flags, ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** The server flags that make `port` serve as `security` says (the plain port without). */
function serving(port: number, security: RedisSecuritySetup | undefined): string[] {
  const password = security?.password;
  cliFlags.set(port, [...tlsCliArgs(security?.tls), ...passwordCliArgs(password)]);
  return [...tlsServerArgs(port, security?.tls), ...(password ? ['--requirepass', password, '--masterauth', password] : [])];
}

/** The same for a sentinel, as lines of its configuration file. */
function sentinelServing(port: number, security: RedisSecuritySetup | undefined): string[] {
  const password = security?.sentinelPassword;
  cliFlags.set(port, [...tlsCliArgs(security?.tls), ...passwordCliArgs(password)]);
  const args = tlsServerArgs(port, security?.tls);
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 2) lines.push(`${args[i].slice(2)} ${args[i + 1]}`);
  return password ? [...lines, `requirepass ${password}`] : lines;
}

function passwordCliArgs(password: string | undefined): string[] {
  return password ? ['-a', password, '--no-auth-warning'] : [];
}

/** Waits until the replica of the master on `port` has everything written to it (replication is asynchronous). */
async function replicaCaughtUp(port: number): Promise<void> {
  // What was written so far, read once: the offset keeps moving (pings, sentinels' hellos).
  const written = Number(/master_repl_offset:(\d+)/.exec(await cli(port, 'INFO', 'replication'))?.[1]);
  await waitFor(
    async () => {
      const acknowledged = /slave0:.*state=online,offset=(\d+)/.exec(await cli(port, 'INFO', 'replication'))?.[1];
      return acknowledged !== undefined && Number(acknowledged) >= written;
    },
    `the replica of ${port} to catch up`,
    30_000,
    100,
  );
}

/** A numeric field of a SENTINEL MASTER answer (name and value on alternate lines). */
function field(answer: string, name: string): number {
  const lines = answer.split('\n');
  const at = lines.indexOf(name);
  return at < 0 ? NaN : Number(lines[at + 1]);
}

/** A loopback port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 <= 65_535 && (await isFree(port + 10_000))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A real Redis Cluster on loopback: six redis-servers, three masters with a replica each,
 * created by `redis-cli --cluster create` as operators do. Failover is quick (1 s node timeout).
 */
export class RedisClusterFixture {
  private constructor(
    private readonly nodes: Node[],
    private readonly dir: string,
  ) {}

  /**
   * @param nodeTimeoutMs `cluster-node-timeout`: short, so a failover takes a second or two (Redis's default is 15 s).
   * @param security nodes, their bus and replication over TLS only, and a password
   */
  static async start(nodeTimeoutMs = 1_000, security?: RedisSecuritySetup): Promise<RedisClusterFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'samplane-cluster-'));
    const nodes: Node[] = [];
    for (let i = 0; i < 6; i++) {
      const port = await clusterPort();
      nodes.push(
        new Node(port, [
          ...serving(port, security), ...(security?.tls ? ['--tls-cluster', 'yes'] : []),
          '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', String(nodeTimeoutMs),
          '--save', '', '--appendonly', 'no', '--dir', dir,
          // A replica's first sync would otherwise wait 5 s for more replicas to join it.
          '--repl-diskless-sync-delay', '0',
        ]),
      );
    }
    const cluster = new RedisClusterFixture(nodes, dir);
    try {
      await cluster.create();
    } catch (error) {
      // A cluster that never formed leaves no server behind the failed test.
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  private async create(): Promise<void> {
    const nodes = this.nodes;
    await Promise.all(nodes.map((node) => node.start()));
    await run('redis-cli', [...(cliFlags.get(nodes[0].port) ?? []), '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 30_000,
    });
    await this.healthy();
    // "ok" comes before the replicas' first sync; a master killed before it has no successor.
    await waitFor(
      async () => (await Promise.all(nodes.map((n) => cli(n.port, 'INFO', 'replication')))).every((info) => !info.includes('master_link_status:down')),
      'every replica in sync with its master',
      30_000,
      200,
    );
  }

  get target(): RedisTarget {
    return { kind: 'cluster', nodes: this.nodes.slice(0, 3).map((n) => ({ host: '127.0.0.1', port: n.port })) };
  }

  /** REDIS_CLUSTER_NODES for a Samplane process. */
  get seeds(): string {
    return this.nodes.slice(0, 3).map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** Waits until every live node reports the cluster ok. */
  async healthy(timeoutMs = 30_000): Promise<void> {
    const live = () => this.nodes.filter((n) => n.process && n.process.exitCode === null && n.process.signalCode === null);
    await waitFor(
      async () => (await Promise.all(live().map((n) => cli(n.port, 'CLUSTER', 'INFO')))).every((info) => info.includes('cluster_state:ok')),
      'the cluster to be ok',
      timeoutMs,
      200,
    );
  }

  /** Port of the master serving `key`'s slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(await cli(this.nodes[0].port, 'CLUSTER', 'KEYSLOT', key));
    const slots = await cli(this.nodes[0].port, '--json', 'CLUSTER', 'SLOTS');
    const ranges = JSON.parse(slots) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master for slot ${slot}`);
    return Number(range[2][1]);
  }

  /** kill -9 of one master once its replica caught up; the replica takes over after the node timeout. */
  async killMaster(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on ${port}`);
    await replicaCaughtUp(port);
    await node.kill();
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    for (const node of this.nodes) cliFlags.delete(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Sentinel-managed primary on loopback: a primary, a replica and three sentinels (quorum 2),
 * with a short down-after so a failover takes seconds.
 */
export class RedisSentinelFixture {
  static readonly MASTER = 'samplane-primary';

  private constructor(
    private readonly servers: Node[],
    private readonly sentinels: Node[],
    private readonly dir: string,
  ) {}

  /** @param tls the primary, its replica and the sentinels over TLS only */
  static async start(security?: RedisSecuritySetup): Promise<RedisSentinelFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'samplane-sentinel-'));
    const base = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const primaryPort = await freePort();
    const primary = new Node(primaryPort, [...serving(primaryPort, security), ...base]);
    const replicaPort = await freePort();
    const replica = new Node(replicaPort, [...serving(replicaPort, security), '--replicaof', '127.0.0.1', String(primaryPort), ...base]);
    const sentinels: Node[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const config = join(dir, `sentinel-${port}.conf`);
      const master = RedisSentinelFixture.MASTER;
      writeFileSync(
        config,
        [
          ...sentinelServing(port, security),
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${master} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${master} 1000`,
          ...(security?.password ? [`sentinel auth-pass ${master} ${security.password}`] : []),
          ...(security?.sentinelPassword ? [`sentinel sentinel-pass ${security.sentinelPassword}`] : []),
          `sentinel failover-timeout ${master} 5000`,
          `sentinel parallel-syncs ${master} 1`,
        ].join('\n') + '\n',
      );
      sentinels.push(new Node(port, [config], process.env.REDIS_SENTINEL_BIN ?? 'redis-sentinel'));
    }
    const fixture = new RedisSentinelFixture([primary, replica], sentinels, dir);
    try {
      await fixture.settle(primaryPort, replicaPort);
    } catch (error) {
      // A setup that never settled leaves no server behind the failed test.
      await fixture.destroy();
      throw error;
    }
    return fixture;
  }

  private async settle(primaryPort: number, replicaPort: number): Promise<void> {
    for (const server of this.servers) await server.start();
    await Promise.all(this.sentinels.map((s) => s.start()));
    await waitFor(async () => (await this.primaryPort()) === primaryPort, 'the sentinels to agree on the primary');
    // Named in their config, the primary is known at once; a failover needs more: the replica
    // synced, and every sentinel knowing it and the two others (learnt over seconds).
    await waitFor(async () => (await cli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'), 'the replica to sync', 30_000, 100);
    await waitFor(
      async () => {
        const views = await Promise.all(this.sentinels.map((s) => cli(s.port, 'SENTINEL', 'MASTER', RedisSentinelFixture.MASTER)));
        return views.every((view) => field(view, 'num-slaves') >= 1 && field(view, 'num-other-sentinels') >= 2);
      },
      'every sentinel to know the replica and the other sentinels',
      30_000,
      200,
    );
  }

  /**
   * Connections subscribed to a channel on each sentinel: clients' failover detectors (sentinels
   * subscribe to each other on the servers, not here; a sentinel has no PUBSUB command to ask).
   */
  async switchMasterSubscribers(): Promise<number[]> {
    return Promise.all(this.sentinels.map(async (s) => (await cli(s.port, 'CLIENT', 'LIST')).split('\n').filter((c) => /\bsub=[1-9]/.test(c)).length));
  }

  get target(): Extract<RedisTarget, { kind: 'sentinel' }> {
    return { kind: 'sentinel', sentinels: this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), master: RedisSentinelFixture.MASTER };
  }

  /** REDIS_SENTINELS for a Samplane process. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  async primaryPort(): Promise<number> {
    const answer = await cli(this.sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', RedisSentinelFixture.MASTER);
    return Number(answer.split('\n')[1]);
  }

  /**
   * kill -9 of the primary once its replica holds everything written to it, then waits until
   * the sentinels promoted the replica.
   */
  async failover(): Promise<number> {
    const before = await this.killPrimary();
    return waitFor(
      async () => {
        const now = await this.primaryPort();
        return now !== before ? now : undefined;
      },
      'the sentinels to promote the replica',
      30_000,
      200,
    );
  }

  /** kill -9 of the primary once its replica holds everything written to it; resolves with its port at the kill. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await replicaCaughtUp(port);
    await this.servers.find((s) => s.port === port)?.kill();
    return port;
  }

  /** The ports of the primary and its replica, as started. */
  get serverPorts(): number[] {
    return this.servers.map((s) => s.port);
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((n) => n.kill()));
    for (const node of [...this.sentinels, ...this.servers]) cliFlags.delete(node.port);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
