import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ports';
import { waitFor } from '../wait';
import { repoRoot } from './fleet-workers';

// USER_HZ is 100 on every Linux ABI Node supports.
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * One replica as users run it (`node dist/cli.js serve`), with what a large-fleet run reads
 * from outside: its pid for RSS and CPU, its /metrics, the tail of its output and its term starts.
 */
export class FleetReplica {
  private output = '';
  /** The end of its output not yet ended by a newline. */
  private partial = '';
  /** What each `leader term started` line it logged said: where a new leader's time went. */
  readonly termStarts: Array<Record<string, unknown>> = [];
  private lastCpuSeconds: number | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly httpPort: number,
    private readonly dir: string,
  ) {
    // The whole output to a file as well, when investigating a run (with --trace-gc, say).
    const logDir = process.env.FLEET_REPLICA_LOG_DIR;
    const log = logDir ? createWriteStream(join(logDir, `${name}.log`)) : undefined;
    const keep = (chunk: Buffer): void => {
      log?.write(chunk);
      const lines = (this.partial + chunk.toString()).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.take(line);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(name: string, env: Record<string, string>): Promise<FleetReplica> {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'samplane-fleet-'));
    // The node flags `npm start` runs the service with, then any given for investigating a run
    // (a CPU profile, a heap limit).
    const flags = [...serveNodeFlags(), ...(process.env.FLEET_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
    const child = spawn(process.execPath, [...flags, join(repoRoot(), 'dist', 'cli.js'), 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        // Info for the term starts; the tail keeps warnings and errors (see `take`).
        LOG_LEVEL: 'info',
        SQLITE_PATH: join(dir, 'samplane.sqlite'),
        // Each replica keeps its (empty) policies in its own file; no policy is set in a run.
        ALLOW_SQLITE_WITH_REDIS: 'true',
        ...env,
        ...Object.fromEntries(
          (process.env.FLEET_REPLICA_ENV ?? '')
            .split(' ')
            .filter(Boolean)
            .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
        ),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const replica = new FleetReplica(name, child, httpPort, dir);
    try {
      await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${replica.output}`);
          return (await fetch(`${replica.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
        },
        `${name} to answer /healthz`,
        30_000,
        100,
      );
    } catch (error) {
      await replica.stop();
      throw error;
    }
    return replica;
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it wrote, for reports and failure messages (below warnings, only the term starts). */
  tail(): string {
    return this.output + this.partial;
  }

  private take(line: string): void {
    const level = /^\{"level":(\d+)/.exec(line);
    if (line.includes('"msg":"leader term started"')) this.termStarts.push(JSON.parse(line) as Record<string, unknown>);
    else if (level && Number(level[1]) < 40) return;
    // A replica logging at every calculation for minutes must not grow this without bound.
    this.output = (this.output + line + '\n').slice(-16_000);
  }

  /** Resident set size now, from /proc; undefined once it is gone or without /proc. */
  rssBytes(): number | undefined {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** CPU seconds (user + system, every thread) used so far, from /proc; once gone, the last read. */
  cpuSeconds(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields are counted after the command name's ')', which may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      this.lastCpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // Gone: what it had used when last read.
    }
    return this.lastCpuSeconds;
  }

  /** `/metrics` as text; slow answers are part of what is measured, so the bound is generous. */
  async metricsText(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(15_000) });
    if (response.status !== 200) throw new Error(`${this.name} /metrics answered ${response.status}`);
    return response.text();
  }

  /** SIGKILL at once: a crash, or cleaning up after one (no awaiting possible there). */
  kill(): void {
    this.cpuSeconds();
    if (this.running) this.child.kill('SIGKILL');
  }

  /** SIGKILL, resolved once the process is gone. */
  async killed(): Promise<void> {
    this.kill();
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), 10_000);
    await this.exited;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The node flags of package.json's `start` script (`node FLAGS dist/cli.js serve`). */
export function serveNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const match = /^node((?: --\S+)*) dist\/cli\.js serve$/.exec(scripts.start);
  if (!match) throw new Error(`package.json's start script is not "node [flags] dist/cli.js serve": ${scripts.start}`);
  return match[1].split(' ').filter(Boolean);
}
