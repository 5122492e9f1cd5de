import { conditionMatches, etagOf, parseEntityTags } from '../../../src/policies/etag';

describe('entity tags', () => {
  it('quotes the version', () => {
    expect(etagOf(7)).toBe('"7"');
  });

  it.each([
    ['"3"', 3, true],
    ['"2", "3"', 3, true],
    ['"2","4"', 3, false],
    ['*', 3, true],
    ['*', undefined, false],
    ['"3"', undefined, false],
    ['W/"3"', 3, false],
    ['3', 3, false],
    ['', 3, false],
  ])('If-Match %j against version %j: %j', (header, version, expected) => {
    const condition = parseEntityTags(header);
    expect(condition && conditionMatches(condition, version)).toBe(expected);
  });

  it('reads an absent header as no condition', () => {
    expect(parseEntityTags(undefined)).toBeUndefined();
  });
});
