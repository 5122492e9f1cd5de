import { JsonLineWriter } from '../../../src/store/json-line-writer';
import { seededRandom } from '../../support/statistics';

type Item = string | number | string[];

const OPEN = 0x5b;
const CLOSE = 0x5d;
const COMMA = 0x2c;

/** Writes `items` as one line, the way flush lines are written. */
function write(writer: JsonLineWriter, items: Item[]): Buffer {
  writer.begin();
  writer.byte(OPEN);
  items.forEach((item, i) => {
    if (i > 0) writer.byte(COMMA);
    if (typeof item === 'number') writer.number(item);
    else if (typeof item === 'string') writer.string(item);
    else writer.strings(item);
  });
  writer.byte(CLOSE);
  return writer.end();
}

const reference = (items: Item[]) => Buffer.from(`${JSON.stringify(items)}\n`, 'utf8');

const AWKWARD_STRINGS = [
  '',
  'GET /api/v1/orders',
  'a "quoted" name',
  'back\\slash',
  'line\nbreak\ttab\r\u0000\u001f\u007f',
  'ünïcødé',
  '日本語のオペレーション',
  'emoji 🚀 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  '\udc00\ud800 reversed',
  '__proto__',
  '</script>',
];

const AWKWARD_NUMBERS = [
  0, -0, 1, 9, 10, 99, 100, 123456789, 1767225600000, 999999999999999, 1e15, 2 ** 53, 2 ** 53 + 2, 1e21, 1.5e300,
  0.5, 1 / 3, 0.1 + 0.2, 1e-7, 5e-324, -1, -12.75, Number.MAX_VALUE, NaN, Infinity, -Infinity,
];

describe('JsonLineWriter', () => {
  it("writes the bytes JSON.stringify and a UTF-8 encode make, for every escape, width and number", () => {
    const writer = new JsonLineWriter();
    for (const value of AWKWARD_STRINGS) expect(write(writer, [value, [value, 'x']])).toEqual(reference([value, [value, 'x']]));
    for (const value of AWKWARD_NUMBERS) expect(write(writer, [value])).toEqual(reference([value]));
    expect(write(writer, [[]])).toEqual(reference([[]]));
  });

  it('keeps every line it returned intact while later lines outgrow its arena', () => {
    const random = seededRandom(7);
    // A small first arena: most lines move to larger ones part-way through.
    const writer = new JsonLineWriter(16);
    const written: Array<[Buffer, Buffer]> = [];
    for (let line = 0; line < 2_000; line++) {
      const items: Item[] = [];
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) {
        const kind = random();
        if (kind < 0.4) items.push(AWKWARD_STRINGS[Math.floor(random() * AWKWARD_STRINGS.length)].repeat(1 + Math.floor(random() * 3)));
        else if (kind < 0.8) items.push(random() < 0.5 ? AWKWARD_NUMBERS[Math.floor(random() * AWKWARD_NUMBERS.length)] : Math.floor(random() * 1e6) / 8);
        else items.push(AWKWARD_STRINGS.slice(0, Math.floor(random() * 4)));
      }
      // Now and then a name far longer than any arena so far.
      if (random() < 0.01) items.push('ä'.repeat(100_000));
      written.push([write(writer, items), reference(items)]);
    }
    const differing = written.filter(([got, want]) => !got.equals(want)).map(([got, want]) => [got.toString(), want.toString()]);
    expect(differing).toEqual([]);
  });
});
