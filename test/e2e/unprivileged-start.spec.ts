import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finalStage } from '../support/dockerfile';
import { healthcheckExit } from '../support/healthcheck';
import { serveNodeFlags } from '../support/large-fleet/fleet-replica';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { ADMIN_TOKENS, AdminClient, OPERATOR_TOKEN } from './policies-http';

const ROOT = join(__dirname, '..', '..');
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/**
 * The image's layout without Docker: the built app copied into a root-owned directory, started
 * as an unprivileged user with the Dockerfile's environment, its data directory placed (under a
 * scratch root) where SQLITE_PATH says and owned as the Dockerfile's RUN owns it.
 */
class UnprivilegedSamplane {
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** Runs `command` (the image's CMD, `node` first) as the unprivileged user. */
  static async start(app: string, env: Record<string, string>, command: string[]): Promise<UnprivilegedSamplane> {
    const httpPort = await freePort();
    const child = spawn(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, ...command.slice(1)],
      {
        cwd: app,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', HTTP_PORT: String(httpPort), GRPC_PORT: String(await freePort()), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const server = new UnprivilegedSamplane(child, `http://127.0.0.1:${httpPort}`);
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`samplane exited:\n${server.output}`);
      return (await fetch(`${server.url}/healthz`)).ok;
    }, 'samplane to answer /healthz');
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

(asRoot ? describe : describe.skip)('the image layout, started as an unprivileged user', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'samplane-image-'));
  const app = join(scratch, 'app');
  const image = finalStage();
  let samplane: UnprivilegedSamplane | undefined;

  beforeAll(() => {
    chmodSync(scratch, 0o755);
    mkdirSync(app);
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    // node_modules root-owned and read-only to the user, as in the image. A copy (hard links
    // where the file system allows), not a link: the checkout's own folder may be closed to
    // other users (mktemp -d makes it 0700), which a link would have to pass through.
    try {
      execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(app, 'node_modules')]);
    } catch {
      rmSync(join(app, 'node_modules'), { recursive: true, force: true });
      execFileSync('cp', ['-a', join(ROOT, 'node_modules'), join(app, 'node_modules')]);
    }
  });

  afterEach(async () => {
    await samplane?.stop();
    samplane = undefined;
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the command npm start runs, node flags included', () => {
    expect(image.cmd).toEqual(['node', ...serveNodeFlags(), 'dist/cli.js', 'serve']);
    expect(serveNodeFlags()).toEqual(expect.arrayContaining(['--max-semi-space-size=32', '--heap-growing-percent=100']));
  });

  it('has a healthcheck that fails when nothing answers', async () => {
    expect(await healthcheckExit({ HTTP_PORT: String(await freePort()) })).toBe(1);
  });

  it('serves polls and policies, writing only to its data directory', async () => {
    const sqlitePath = join(scratch, image.env.SQLITE_PATH);
    mkdirSync(dirname(sqlitePath), { recursive: true });
    const [uid, gid] = (image.user ?? '').split(':').map(Number);
    // The Dockerfile's user is the image's; here the unprivileged user stands in for it.
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    chownSync(dirname(sqlitePath), NOBODY, NOBODY);

    samplane = await UnprivilegedSamplane.start(app, { ...image.env, SQLITE_PATH: sqlitePath, ADMIN_TOKENS }, image.cmd);
    const poll = await fetch(`${samplane.url}/sampling?service=checkout`);
    expect(poll.status).toBe(200);
    expect(((await poll.json()) as { strategyType: string }).strategyType).toBe('PROBABILISTIC');

    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    const put = await operator.put('/api/v1/policies/checkout', { mode: 'probabilistic', samplingRate: 0.25 });
    expect(put.status).toBe(201);
    expect((await operator.get('/api/v1/policies/checkout')).status).toBe(200);
    expect((await fetch(`${samplane.url}/readyz`)).status).toBe(200);
    await waitFor(async () => {
      const served = (await (await fetch(`${samplane?.url}/sampling?service=checkout`)).json()) as {
        probabilisticSampling?: { samplingRate: number };
      };
      return served.probabilisticSampling?.samplingRate === 0.25;
    }, 'the policy to be served');
    expect(await healthcheckExit({ ...image.env, HTTP_PORT: new URL(samplane.url).port })).toBe(0);
    expect(statSync(sqlitePath).uid).toBe(NOBODY);
    expect(statSync(app).uid).toBe(0);
  });

  it('cannot keep policies where the app directory is read-only, and says so', async () => {
    // The old image's mistake: SQLite under the root-owned working directory.
    samplane = await UnprivilegedSamplane.start(app, { ...image.env, SQLITE_PATH: './data/samplane.sqlite', ADMIN_TOKENS }, image.cmd);
    expect((await fetch(`${samplane.url}/sampling?service=checkout`)).status).toBe(200);
    const operator = new AdminClient(samplane.url, OPERATOR_TOKEN);
    expect((await operator.put('/api/v1/policies/checkout', { mode: 'probabilistic', samplingRate: 0.25 })).status).toBe(503);
    expect((await fetch(`${samplane.url}/readyz`)).status).toBe(503);
  });
});
