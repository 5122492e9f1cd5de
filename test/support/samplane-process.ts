import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TlsClient, httpsRequest } from './https-client';
import { metricValue } from './metrics-text';
import { freePort } from './ports';
import { waitFor } from './wait';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/**
 * Samplane as users run it: the built CLI in its own process, configured by environment
 * variables, on free loopback ports. Its output is kept for assertions and failure messages.
 */
export class SamplaneProcess {
  output = '';
  /** What it wrote to stderr alone (also in `output`). */
  private errors = '';
  private exitPromise: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly httpPort: number,
    readonly grpcPort: number,
    /** How to reach it when it serves TLS (TLS_CERT_FILE): the CA to trust, a client certificate for mTLS. */
    readonly tls?: TlsClient,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.errors += chunk.toString();
    });
    // On close, not exit: its last output (the "stopped" line) is read by then.
    this.exitPromise = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    // Once serving, Samplane exits on SIGTERM and SIGINT: ended by a signal other than SIGKILL,
    // it crashed, and an exit code of null alone would not say how. On close: all output read.
    child.once('close', (_code, signal) => {
      if (signal !== null && signal !== 'SIGKILL' && this.output.includes('"samplane serving"')) {
        // Its stderr first: an abort's message and stack are there, and a long log could hide them.
        console.error(`samplane ended by ${signal}, without exiting; its stderr:\n${this.errors.slice(-4000)}\nits last output:\n${this.output.slice(-2000)}`);
      }
    });
  }

  /** Spawns without waiting; see `start` for the usual case. */
  static async spawn(env: Record<string, string> = {}, tls?: TlsClient): Promise<SamplaneProcess> {
    const httpPort = await freePort();
    const grpcPort = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(grpcPort),
        LOG_LEVEL: 'info',
        // Each process gets its own policy database unless a test shares one on purpose.
        SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'samplane-e2e-')), 'samplane.sqlite'),
        // Replicas on one Redis with private SQLite files: what these tests set up on purpose.
        ALLOW_SQLITE_WITH_REDIS: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new SamplaneProcess(child, httpPort, grpcPort, tls);
  }

  /** Spawns and waits until the HTTP port answers. */
  static async start(env: Record<string, string> = {}, tls?: TlsClient): Promise<SamplaneProcess> {
    const server = await SamplaneProcess.spawn(env, tls);
    try {
      await server.ready();
    } catch (error) {
      // A process that never became ready is not left running behind the failed test.
      await server.stop().catch(() => undefined);
      throw error;
    }
    return server;
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.httpPort}`;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  async ready(): Promise<void> {
    await waitFor(
      async () => {
        if (this.child.exitCode !== null) throw new Error(`samplane exited:\n${this.output}`);
        return (await this.get('/healthz')).status === 200;
      },
      'samplane to answer /healthz',
      // Start-up takes a second or two; on a machine busy with other suites, many more.
      45_000,
    );
  }

  /**
   * Waits for /readyz: the store and the policy database reached. A process answers /healthz
   * before its database connects (on a busy machine, seconds later), and writes a policy only
   * after.
   */
  async readyz(): Promise<void> {
    await waitFor(async () => (await this.get('/readyz')).status === 200, 'samplane to answer /readyz', 45_000);
  }

  /** Resolves with the exit code. */
  exited(): Promise<number | null> {
    return this.exitPromise;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exitPromise;
  }

  /** The process id, for sending signals at a chosen moment. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** One sample of `/metrics` (see `metricValue`); a series that is not exported is an error. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const response = await this.get('/metrics');
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
    const value = metricValue(response.body, name, labels);
    if (value === undefined) throw new Error(`/metrics has no ${name} ${JSON.stringify(labels)}`);
    return value;
  }

  /** Waits until the process has written `text` to stdout or stderr. */
  async waitForOutput(text: string, timeoutMs?: number): Promise<void> {
    await waitFor(() => this.output.includes(text), `samplane to log "${text}"`, timeoutMs);
  }

  async poll(service: string): Promise<unknown> {
    const response = await this.get(`/sampling?service=${encodeURIComponent(service)}`);
    if (response.status !== 200) throw new Error(`poll for ${service} answered ${response.status}`);
    return JSON.parse(response.body);
  }

  /** A GET over plain HTTP, or over TLS with the process's client settings. */
  async get(path: string): Promise<{ status: number; body: string }> {
    if (this.tls) return httpsRequest(this.url + path, this.tls);
    const response = await fetch(this.url + path);
    return { status: response.status, body: await response.text() };
  }
}
