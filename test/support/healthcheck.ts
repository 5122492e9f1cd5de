import { execFile } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');

/** The exit code of `samplane healthcheck` (the image's HEALTHCHECK) with `env`. */
export function healthcheckExit(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, 'healthcheck'], { env: { PATH: process.env.PATH ?? '', ...env } });
    child.once('exit', (code) => resolve(code ?? -1));
  });
}
