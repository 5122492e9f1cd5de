import { parseAdminTokens } from '../../../src/config/admin-tokens';

describe('parseAdminTokens', () => {
  it('reads name:role:token entries in order', () => {
    expect(parseAdminTokens('alice:operator:aaaaaaaa,bob:viewer:bbbbbbbb')).toEqual([
      { name: 'alice', role: 'operator', token: 'aaaaaaaa' },
      { name: 'bob', role: 'viewer', token: 'bbbbbbbb' },
    ]);
  });

  it('keeps colons inside the token', () => {
    expect(parseAdminTokens('ci:operator:abc:def:ghi')).toEqual([
      { name: 'ci', role: 'operator', token: 'abc:def:ghi' },
    ]);
  });

  it('trims around entries and skips empty ones', () => {
    expect(parseAdminTokens(' alice:viewer:12345678 , ,bob:operator:87654321,')).toEqual([
      { name: 'alice', role: 'viewer', token: '12345678' },
      { name: 'bob', role: 'operator', token: '87654321' },
    ]);
  });

  it('reads an empty list as no tokens', () => {
    expect(parseAdminTokens('')).toEqual([]);
    expect(parseAdminTokens(' , ')).toEqual([]);
  });

  it('accepts a token of exactly 8 characters and refuses 7', () => {
    expect(parseAdminTokens('a:viewer:12345678')).toHaveLength(1);
    expect(() => parseAdminTokens('a:viewer:1234567')).toThrow(
      'entry 1 ("a") has a token shorter than 8 characters',
    );
  });

  describe('refuses', () => {
    it.each([
      ['a missing role and token', 'alice'],
      ['a missing token separator', 'alice:viewer'],
      ['an empty name', ':viewer:12345678'],
    ])('%s', (_why, raw) => {
      expect(() => parseAdminTokens(raw)).toThrow('entry 1 is not name:role:token');
    });

    it('numbers the failing entry from 1, counting skipped empty ones', () => {
      expect(() => parseAdminTokens('a:viewer:12345678,,broken')).toThrow('entry 3 is not name:role:token');
    });

    it('a role other than viewer or operator, without echoing it (it may be a misplaced token)', () => {
      expect(() => parseAdminTokens('alice:admin:12345678')).toThrow(
        'entry 1 ("alice") has an unknown role; use viewer or operator',
      );
      expect(() => parseAdminTokens('alice:Viewer:12345678')).toThrow(/unknown role/);
      expect(() => parseAdminTokens('alice::12345678')).toThrow(/unknown role/);
      expect(() => parseAdminTokens('alice:s3cr3t-t0ken:operator')).not.toThrow(/s3cr3t/);
    });

    it('the same name twice, since the audit log names people by it', () => {
      expect(() => parseAdminTokens('alice:viewer:12345678,alice:operator:87654321')).toThrow(
        'the name "alice" appears twice',
      );
    });

    it('an empty token', () => {
      expect(() => parseAdminTokens('alice:viewer:')).toThrow(/shorter than 8/);
    });
  });

  it('never prints a token in an error', () => {
    const secret = 'Sup3rS3cr';
    for (const raw of [
      `alice:viewer:${secret.slice(0, 7)}`,
      `alice:viewer:${secret},alice:viewer:${secret}`,
    ]) {
      let message = '';
      try {
        parseAdminTokens(raw);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(secret.slice(0, 7));
    }
  });
});
