import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStrategiesFile } from '../../../src/sampling/strategies-file';
import type { SamplingStrategy } from '../../../src/sampling/strategy';
import { encodeStrategyJson } from '../../../src/sampling/strategy-json';

/**
 * Golden scenarios, one per fixture: `NAME.json` is a strategies file and `NAME.expected.json`
 * what Jaeger's file provider would serve from it. Expected strategies are written in proto
 * field order with every field, so their `JSON.stringify` is the exact response body.
 */
interface Expected {
  scenario: string;
  source: string;
  default: SamplingStrategy | null;
  services: Record<string, SamplingStrategy>;
  /** One entry per warning, in order; each lists fragments that warning must contain. */
  warnings: string[][];
}

const DIR = join(__dirname, '..', '..', 'fixtures', 'strategies');
const files = readdirSync(DIR);
const scenarios = files
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.slice(0, -'.expected.json'.length));

it('has an expectation for every strategies fixture and the reverse', () => {
  const inputs = files
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -5));
  expect(scenarios.length).toBeGreaterThanOrEqual(10);
  expect([...inputs].sort()).toEqual([...scenarios].sort());
});

describe.each(scenarios)('strategies file scenario %s', (name) => {
  const expected = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as Expected;
  const parsed = parseStrategiesFile(readFileSync(join(DIR, `${name}.json`), 'utf8'));

  it('names exactly the expected services', () => {
    expect([...parsed.services.keys()].sort()).toEqual(Object.keys(expected.services).sort());
  });

  for (const service of Object.keys(expected.services)) {
    it(`serves ${service} exactly`, () => {
      const strategy = parsed.services.get(service);
      expect(strategy).toStrictEqual(expected.services[service]);
      expect(encodeStrategyJson(strategy!)).toBe(JSON.stringify(expected.services[service]));
    });
  }

  it('serves the expected default to every other service', () => {
    if (expected.default === null) {
      expect(parsed.defaultStrategy).toBeUndefined();
    } else {
      expect(parsed.defaultStrategy).toStrictEqual(expected.default);
      expect(encodeStrategyJson(parsed.defaultStrategy!)).toBe(JSON.stringify(expected.default));
    }
  });

  it('warns about what Jaeger would warn about, and nothing else', () => {
    expect(parsed.warnings).toHaveLength(expected.warnings.length);
    expected.warnings.forEach((fragments, i) => {
      for (const fragment of fragments) expect(parsed.warnings[i]).toContain(fragment);
    });
  });
});
