import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseReplayInput, runReplay } from '../../../src/sampling/replay';

/**
 * Golden replays: each `NAME.input.json` in test/fixtures/replay must produce exactly
 * `NAME.output.json`. `jaeger-multiple-rounds` is Jaeger's TestCalculateProbabilitiesAndQPSMultiple;
 * the others pin one rule each (see the names).
 */
const dir = join(__dirname, '..', '..', 'fixtures', 'replay');
const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const names = readdirSync(dir)
  .filter((file) => file.endsWith('.input.json'))
  .map((file) => file.slice(0, -'.input.json'.length))
  .sort();

describe('golden replays', () => {
  it('has fixtures, each with an expected output', () => {
    expect(names.length).toBeGreaterThanOrEqual(5);
    const files = readdirSync(dir);
    for (const name of names) expect(files).toContain(`${name}.output.json`);
  });

  it.each(names)('%s', (name) => {
    const output = runReplay(parseReplayInput(read(`${name}.input.json`)));
    // Compared as JSON text so that key order and every digit of every number count.
    expect(JSON.parse(JSON.stringify(output))).toEqual(read(`${name}.output.json`));
    expect(JSON.stringify(output)).toBe(JSON.stringify(read(`${name}.output.json`)));
  });
});
