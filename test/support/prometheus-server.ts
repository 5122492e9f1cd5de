import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';

export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Debian's `prometheus`, scraping given targets every second on loopback, with rule files, in a
 * throwaway data directory.
 */
export class PrometheusServer {
  output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(targets: string[], ruleFiles: string[] = []): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'samplane-prometheus-'));
    const port = await freePort();
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: [{ job_name: 'samplane', static_configs: [{ targets }] }],
    };
    // JSON is YAML: no YAML library needed to write the configuration.
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
    const child = spawn(
      process.env.PROMETHEUS_BIN ?? 'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, dir, port);
    await waitFor(async () => (await fetch(`${server.url}/-/ready`)).ok, `prometheus ready (${server.output})`, 30_000, 200);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** An instant query through the HTTP API; throws on a query error. */
  async query(expr: string): Promise<PromSeries[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSeries[] } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data?.result ?? [];
  }

  async api<T>(path: string): Promise<T> {
    const body = (await (await fetch(`${this.url}/api/v1/${path}`)).json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
