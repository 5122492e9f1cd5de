import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `samplane replay` as users run it: the built CLI (`npm run build` first). */
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const FIXTURES = join(__dirname, '..', 'fixtures', 'replay');

function samplane(args: string[], stdin?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input: stdin, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('samplane replay', () => {
  let dir: string;

  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    dir = mkdtempSync(join(tmpdir(), 'samplane-replay-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const expected = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, `${name}.output.json`), 'utf8'));

  it("prints the rounds of Jaeger's multi-round scenario and exits 0", () => {
    const run = samplane(['replay', join(FIXTURES, 'jaeger-multiple-rounds.input.json')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected('jaeger-multiple-rounds'));
  });

  it('reads standard input for "-"', () => {
    const input = readFileSync(join(FIXTURES, 'adaptive-md-example.input.json'), 'utf8');
    const run = samplane(['replay', '-'], input);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      rounds: [{ probabilities: { A: { GET: 0.002 } }, qps: { A: { GET: 0.05 } } }],
    });
  });

  it('exits 2 naming the field of bad input, printing nothing on stdout', () => {
    const file = join(dir, 'bad.json');
    const rounds = [0, 1, 2].map((i) => ({
      intervalSeconds: 60,
      throughput: [{ service: 'A', operation: 'GET', count: i === 2 ? -3 : 3, probabilities: [0.001] }],
    }));
    writeFileSync(file, JSON.stringify({ algorithm: 'jaeger', rounds }));
    const run = samplane(['replay', file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('rounds[2].throughput[0].count: expected a non-negative integer');
  });

  it('exits 2 for an unknown algorithm', () => {
    const run = samplane(['replay', '-'], '{"algorithm":"samplane-v0","rounds":[]}');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('algorithm: expected one of "jaeger"');
  });

  it('exits 2 for a file that is not JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"algorithm": ');
    const run = samplane(['replay', file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not valid JSON');
  });

  it('exits 2 for a file that cannot be read', () => {
    const run = samplane(['replay', join(dir, 'missing.json')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot read .*missing\.json/);
  });

  it('exits 2 with the usage when no file is given', () => {
    const run = samplane(['replay']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: samplane <command>');
    expect(run.stderr).toContain('replay FILE');
  });
});
