import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait';

const SEARCHED_BIN_DIRS = ['17', '16', '15', '14'].map((v) => `/usr/lib/postgresql/${v}/bin`);

/**
 * A real, throwaway PostgreSQL cluster on loopback, in a temporary directory, with trust
 * authentication. It can be stopped and started again on the same port and data, to test
 * what Samplane does while its database is away.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root the server runs as the
 * `postgres` OS user (the Debian package creates it), in a directory handed to that user.
 */
export class PostgresServer {
  private process: ChildProcess | undefined;
  private log = '';

  private constructor(
    private readonly binDir: string,
    private readonly dir: string,
    private readonly user: { uid: number; gid: number } | undefined,
    readonly port: number,
  ) {}

  static async start(): Promise<PostgresServer> {
    const binDir = findBinDir();
    const user = process.getuid?.() === 0 ? postgresUser() : undefined;
    const dir = mkdtempSync(join(tmpdir(), 'samplane-pg-'));
    if (user) chownSync(dir, user.uid, user.gid);
    const server = new PostgresServer(binDir, dir, user, await freePort());
    try {
      server.run('initdb', [
        '-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
      ]);
      await server.startAgain();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** A connection URL for `database` (created by `createDatabase`). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates an empty database and returns its URL: each test can have a fresh one. */
  async createDatabase(name: string): Promise<string> {
    await this.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return this.url(name);
  }

  /** Runs SQL on `database` with psql and returns the rows, as lists of text fields. */
  query(sql: string, database = 'postgres'): Promise<string[][]> {
    const args = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database];
    return new Promise((resolve, reject) => {
      execFile(
        join(this.binDir, 'psql'),
        [...args, '-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
        (error, stdout, stderr) => {
          if (error) reject(new Error(`psql: ${stderr.trim() || error.message}`, { cause: error }));
          else resolve(stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t')));
        },
      );
    });
  }

  /** Starts the server if it is not running (on the same port and data). */
  async startAgain(): Promise<void> {
    if (this.running) return;
    const child = spawn(
      join(this.binDir, 'postgres'),
      [
        '-D', this.dataDir,
        '-p', String(this.port),
        '-k', this.dir,
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=60',
        '-c', 'shared_buffers=16MB',
      ],
      { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'], ...this.user },
    );
    // A test process that dies without `destroy` must not leave a server behind it.
    const orphanGuard = (): void => void child.kill('SIGQUIT');
    process.once('exit', orphanGuard);
    child.once('exit', () => process.removeListener('exit', orphanGuard));
    child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
    this.process = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${this.log}`);
        await this.query('SELECT 1');
        return true;
      },
      `postgres on port ${this.port}`,
      20_000,
      100,
    );
  }

  get running(): boolean {
    const child = this.process;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Fast shutdown: open connections are cut, as when a database server goes away. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private run(tool: string, args: string[]): void {
    try {
      execFileSync(join(this.binDir, tool), args, { cwd: this.dir, stdio: 'pipe', ...this.user });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${tool} failed: ${(error as Error).message}\n${stderr}`, { cause: error });
    }
  }
}

function findBinDir(): string {
  const candidates = process.env.POSTGRES_BIN_DIR ? [process.env.POSTGRES_BIN_DIR] : SEARCHED_BIN_DIRS;
  const found = candidates.find((dir) => ['initdb', 'postgres', 'psql'].every((tool) => existsSync(join(dir, tool))));
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (initdb, postgres, psql) not found in ${candidates.join(', ')}. ` +
        'Install them (Debian: apt-get install -y postgresql) or set POSTGRES_BIN_DIR.',
    );
  }
  return found;
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch (error) {
    throw new Error(
      'tests run as root, and PostgreSQL refuses to: an OS user "postgres" is needed to run it ' +
        '(Debian: apt-get install -y postgresql creates it)',
      { cause: error },
    );
  }
}
