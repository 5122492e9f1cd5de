import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * One command through `redis-cli`, outside any client under test: for doing to Redis what an
 * operator or another program would (pausing it, writing a stray key).
 */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const binary = process.env.REDIS_CLI_BIN ?? 'redis-cli';
  const { stdout } = await run(binary, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  const reply = stdout.trim();
  // redis-cli exits 0 on error replies; surface them so a setup step cannot fail silently.
  if (reply.startsWith('ERR') || reply.startsWith('(error)')) throw new Error(`redis-cli ${args.join(' ')}: ${reply}`);
  return reply;
}
