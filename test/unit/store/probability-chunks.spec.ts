import { chunk } from '../../../src/store/redis/probability-shards';

/** Each chunk decoded alone, as a reader decodes each value it gets. */
const decoded = (chunks: Buffer[]) => chunks.map((part) => new TextDecoder('utf-8', { fatal: true }).decode(part));

describe('chunk: a shard cut into values', () => {
  it('cuts ASCII at exactly the size, the last value taking the rest', () => {
    const chunks = chunk(Buffer.from('a'.repeat(25)), 10);
    expect(chunks.map((part) => part.length)).toEqual([10, 10, 5]);
    expect(decoded(chunks).join('')).toBe('a'.repeat(25));
  });

  it.each([
    ['two-byte', 'é'],
    ['three-byte', '€'],
    ['four-byte (a surrogate pair in JavaScript)', '😀'],
  ])('never cuts inside a %s character: every value decodes alone', (_, character) => {
    const text = `${'x'.repeat(7)}${character.repeat(40)}"}`;
    for (let offset = 0; offset < 4; offset++) {
      const shifted = 'y'.repeat(offset) + text;
      const chunks = chunk(Buffer.from(shifted), 10);
      expect(chunks.every((part) => part.length > 0 && part.length <= 10)).toBe(true);
      expect(decoded(chunks).join('')).toBe(shifted);
    }
  });

  it('gives one empty value for an empty shard', () => {
    expect(chunk(Buffer.alloc(0))).toEqual([Buffer.alloc(0)]);
  });
});
