import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DOCKERFILE = join(__dirname, '..', '..', 'deploy', 'Dockerfile');

/** The final stage of deploy/Dockerfile: its base image, ENV, USER, CMD (exec form) and instructions, as written. */
export function finalStage(): { from: string; env: Record<string, string>; user: string | undefined; cmd: string[]; lines: string[] } {
  const text = readFileSync(DOCKERFILE, 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  const last = stages[stages.length - 1];
  const lines = last.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const env: Record<string, string> = {};
  let user: string | undefined;
  let cmd: string[] = [];
  for (const line of lines) {
    const cmdMatch = /^CMD\s+(\[.*\])\s*$/.exec(line);
    if (cmdMatch) cmd = JSON.parse(cmdMatch[1]) as string[];
    const envMatch = /^ENV\s+([A-Z_]+)=(\S+)\s*$/.exec(line);
    if (envMatch) env[envMatch[1]] = envMatch[2];
    const userMatch = /^USER\s+(\S+)\s*$/.exec(line);
    if (userMatch) user = userMatch[1];
  }
  return { from: lines[0].trim(), env, user, cmd, lines };
}
