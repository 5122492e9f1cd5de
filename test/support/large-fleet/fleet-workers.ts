import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the load generator (reporter-worker.js) counted. */
export interface ReporterResult {
  sent: number;
  /** Due while too many reports were unanswered: never sent. */
  skipped: number;
  unanswered: number;
  accepted: number;
  /** Answered with anything but 202. */
  rejected: number;
  errors: number;
  firstFailure: string | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuSeconds: number;
}

export interface PollTargetResult {
  answered: number;
  failed: number;
  errors: number;
  firstFailure: string | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The slowest poll issued in each second since `PollerResult.startedAt`. */
  worstPerSecond: number[];
  /** How many polls issued in each second took 25 ms or more. */
  slowPerSecond: number[];
}

/** What the pollers (poller-worker.js) measured, per replica in the order given. */
export interface PollerResult {
  targets: PollTargetResult[];
  unanswered: number;
  /** Epoch ms of the first poll. */
  startedAt: number;
  /** The poller's own event-loop delay: large values mean it, not a replica, was late. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuSeconds: number;
}

/**
 * The repository's root, from this file's location: the workers are plain JavaScript beside
 * their TypeScript source, which the benchmark build (dist-bench/) does not copy.
 */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'samplane') return dir;
    if (dirname(dir) === dir) throw new Error(`no samplane package.json above ${from}`);
  }
}

/** One worker process spoken to over IPC: started with a configuration, stopped for its result. */
export class FleetWorker<Result> {
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4_000)));
    // 'close', not 'exit': a child's exit can be seen before the last message it sent, while
    // 'close' waits for its IPC channel (and stderr) to be drained.
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
  }

  static async start<Result>(worker: 'reporter' | 'poller', config: Record<string, unknown>): Promise<FleetWorker<Result>> {
    const script = join(repoRoot(), 'test', 'support', 'large-fleet', `${worker}-worker.js`);
    // No inherited flags: Jest's or a benchmark's must not change the worker.
    const child = fork(script, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const handle = new FleetWorker<Result>(worker, child);
    try {
      await handle.answer('ready', () => child.send({ type: 'start', ...config }), 30_000);
    } catch (error) {
      await handle.killed();
      throw error;
    }
    return handle;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<Result> {
    return this.answer<Result>('result', () => this.child.send('stop'), 30_000);
  }

  /** Stops sending to one target; resolves once nothing sent to it is still in flight. */
  async drop(target: number): Promise<void> {
    await this.answer('dropped', () => this.child.send({ type: 'drop', target }), 15_000);
  }

  /** Without waiting for a result: for cleaning up after a failure. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  async killed(): Promise<void> {
    this.kill();
    await this.exited;
  }

  private answer<T>(type: string, ask: () => void, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the ${this.name} worker did not answer "${type}" in ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { type?: string }) => {
        if (message?.type !== type) return;
        cleanup();
        resolve(message as T);
      };
      const onClose = (code: number | null) => fail(new Error(`the ${this.name} worker exited (${code}) before "${type}":\n${this.stderr}`));
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('close', onClose);
      };
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      this.child.on('message', onMessage);
      this.child.once('close', onClose);
      try {
        ask();
      } catch (error) {
        fail(error as Error);
      }
    });
  }
}
