import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'node:net';
import { freePort } from './ports';
import { type RedisTlsSetup, tlsCliArgs, tlsServerArgs } from './redis-tls';
import { waitFor } from './wait';

const run = promisify(execFile);

/**
 * A real, throwaway `redis-server` on loopback (installed by `npm test`). It can be stopped and
 * started again on the same port, to test what Samplane does while Redis is away.
 */
export class RedisServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'samplane-redis-'));

  private constructor(
    readonly port: number,
    private readonly tls: RedisTlsSetup | undefined,
  ) {}

  /** @param tls serve TLS only (`rediss://`) */
  static async start(tls?: RedisTlsSetup): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), tls);
    await server.startAgain();
    return server;
  }

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async startAgain(): Promise<void> {
    const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    this.process = spawn(
      binary,
      [...tlsServerArgs(this.port, this.tls), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir],
      { stdio: 'ignore' },
    );
    await waitFor(() => canConnect(this.port), `redis-server on port ${this.port}`);
  }

  /**
   * Waits until `count` connections subscribe to `channel` (a replica subscribes once its
   * subscriber connection is up, which readiness does not wait for).
   */
  async waitForSubscribers(channel: string, count: number): Promise<void> {
    await waitFor(
      async () => {
        const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...tlsCliArgs(this.tls), 'PUBSUB', 'NUMSUB', channel]);
        return Number(stdout.trim().split('\n')[1]) >= count;
      },
      `${count} subscribers to ${channel}`,
      30_000,
      50,
    );
  }

  /** A command's reply as redis-cli prints it. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...tlsCliArgs(this.tls), ...args]);
    return stdout;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
