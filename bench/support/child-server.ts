import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** A port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildServerOptions {
  /** Shown in tables and error messages. */
  name: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
  port: number;
  /** Path answered with 200 once the server is up. */
  readyPath: string;
  /** PEM of the CA that signed the server's certificate, when it serves HTTPS. */
  ca?: string;
}

/**
 * A server in a process of its own, so that it has a core to itself and the load generator
 * in this process does not compete with it for the event loop.
 */
export class ChildServer {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly ca?: string,
  ) {
    const keep = (chunk: Buffer): void => {
      // Only the tail matters for a failure message; a chatty server must not grow this.
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(options: ChildServerOptions): Promise<ChildServer> {
    const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ChildServer(options.name, options.port, child, options.ca);
    await server.waitUntilAnswering(options.readyPath);
    return server;
  }

  get url(): string {
    return `${this.ca ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /**
   * CPU time (user + system, every thread) the process has used so far, in seconds. Per
   * request it shows what the server itself spends, independent of whether the load
   * generator kept it busy. Undefined where /proc is not available.
   */
  cpuSeconds(): number | undefined {
    return processCpuSeconds(this.child.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private async waitUntilAnswering(path: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `${this.name} exited with ${this.child.exitCode} before answering:\n${this.output}`,
        );
      }
      try {
        if ((await this.get(path)).status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`${this.name} did not answer ${path} within 20 s:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** One GET, over HTTPS trusting `ca` when the server has one. */
  async get(path: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
    if (!this.ca) {
      const response = await fetch(`${this.url}${path}`);
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${this.url}${path}`, { ca: this.ca, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
      });
      req.on('error', reject);
      req.end();
    });
  }
}

/**
 * CPU time (user + system, every thread) process `pid` has used so far, in seconds; undefined
 * where /proc is not available or the process is gone.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields are counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

// USER_HZ is 100 on every Linux ABI Node supports; it is not the kernel's HZ.
const CLOCK_TICKS_PER_SECOND = 100;
