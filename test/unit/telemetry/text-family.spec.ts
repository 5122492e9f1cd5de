import { Gauge, Registry } from 'prom-client';
import { TextFamily, escapeLabelValue } from '../../../src/telemetry/text-family';

const AWKWARD = ['plain', 'back\\slash', 'a "quoted" name', 'line\nbreak', 'ünïcødé 🚀', '', 'GET /{id}', 'x=1,y="2"'];

describe('TextFamily', () => {
  it('writes what prom-client writes for the same series, awkward labels and values included', async () => {
    const registry = new Registry();
    const help = 'A help text with a \\ and a\nline break.';
    const gauge = new Gauge({ name: 'test_family', help, labelNames: ['service', 'operation'], registers: [registry] });
    const family = new TextFamily('test_family', help, ['service', 'operation']);
    // NaN apart: prom-client writes "Nan", this writes the format's own spelling (below).
    const values = [0, 1, 0.1 + 0.2, 1e-7, 123456789012, -2.5, Infinity, -Infinity];
    let lines = '';
    AWKWARD.forEach((service, i) => {
      AWKWARD.forEach((operation, j) => {
        const value = values[(i + j) % values.length];
        gauge.set({ service, operation }, value);
        lines += family.line([service, operation], value);
      });
    });

    expect(family.render(lines)).toBe(await registry.metrics());
  });

  it('describes a family with no series, as prom-client does', async () => {
    const registry = new Registry();
    new Gauge({ name: 'empty_family', help: 'Nothing yet.', labelNames: ['service'], registers: [registry] });

    expect(new TextFamily('empty_family', 'Nothing yet.', ['service']).render('')).toBe(await registry.metrics());
  });

  it('writes NaN as the text format spells it', () => {
    expect(new TextFamily('f', 'h', []).line([], NaN)).toBe('f NaN\n');
  });

  it('escapes exactly backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});
