import { TokenRing } from '../../../src/auth/token-ring';
import { bearerToken } from '../../../src/auth/bearer';
import { UnauthenticatedError } from '../../../src/errors/domain-error';
import { scopeMatcher } from '../../../src/ingest/service-scope';

describe('scopeMatcher', () => {
  const matches = scopeMatcher(['shop*', 'payments-?']);

  it.each([
    ['shop', true],
    ['shop-web', true],
    ['payments-1', true],
    ['payments-12', false],
    ['payments-', false],
    ['pay', false],
    ['my-shop', false],
  ])('%s → %s', (service, expected) => {
    expect(matches(service)).toBe(expected);
  });

  it('takes every other character literally', () => {
    const literal = scopeMatcher(['a.b(c)+']);
    expect(literal('a.b(c)+')).toBe(true);
    expect(literal('axb(c)+')).toBe(false);
    expect(scopeMatcher(['ü?'])('üx')).toBe(true);
  });
});

describe('TokenRing', () => {
  const ring = new TokenRing([
    { token: 'aaaaaaaaaa', holder: 'a' },
    { token: 'bbbbbbbbbb', holder: 'b' },
  ]);

  it('finds the holder of a token, and nobody for any other', () => {
    expect(ring.find('bbbbbbbbbb')).toBe('b');
    expect(ring.find('aaaaaaaaaa')).toBe('a');
    expect(ring.find('aaaaaaaaa')).toBeUndefined();
    expect(ring.find('')).toBeUndefined();
  });
});

describe('bearerToken', () => {
  it('reads Bearer credentials and refuses anything else as unauthenticated', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(() => bearerToken(undefined)).toThrow(UnauthenticatedError);
    expect(() => bearerToken('Basic abc')).toThrow(/must be "Bearer <token>"/);
  });
});
