import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { processCpuSeconds } from './child-server';

const execFileAsync = promisify(execFile);

/**
 * A throwaway `redis-server` on loopback: no snapshots, no append-only file, so nothing it
 * holds outlives the benchmark and no disk write lands in a measurement.
 */
export class RedisServer {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(port: number): Promise<RedisServer> {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`cannot start redis-server: ${error.message}`)));
    });
    await spawned;
    const server = new RedisServer(port, child);
    await server.waitUntilAnswering();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A plain client; the caller quits it. */
  client(): Redis {
    return new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  cpuSeconds(): number | undefined {
    return processCpuSeconds(this.child.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(`redis-server exited with ${this.child.exitCode}:\n${this.output}`);
      }
      const client = new Redis({
        host: '127.0.0.1',
        port: this.port,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        if ((await client.ping()) === 'PONG') return;
      } catch {
        // Not listening yet.
      } finally {
        client.disconnect();
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server did not answer within 10 s:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * `redis-benchmark` running `command` `requests` times, 64 to a pipeline, against `server`;
 * resolves with the requests per second it reports. Its 50 default clients and the pipeline
 * make it what Redis can absorb when every write is sent on its own, at best. `keyspace` makes
 * `__rand_int__` in the command a random number below it.
 */
export async function redisBenchmark(
  server: RedisServer,
  requests: number,
  command: string[],
  keyspace?: number,
): Promise<number> {
  const { stdout } = await execFileAsync('redis-benchmark', [
    '-h',
    '127.0.0.1',
    '-p',
    String(server.port),
    '-n',
    String(requests),
    '-P',
    '64',
    '-q',
    ...(keyspace === undefined ? [] : ['-r', String(keyspace)]),
    ...command,
  ]);
  // With -q it redraws a progress line with \r and ends with "<command>: N requests per second".
  const rates = [...stdout.matchAll(/: ([\d.]+) requests per second/g)];
  if (rates.length === 0) throw new Error(`unexpected redis-benchmark output: ${stdout.slice(-500)}`);
  return Number(rates[rates.length - 1][1]);
}
