import { AdminTokenVerifier } from '../../../src/admin/auth/admin-token-verifier';

describe('AdminTokenVerifier', () => {
  const verifier = new AdminTokenVerifier([
    { name: 'alice', role: 'operator', token: 'alice-secret-1' },
    { name: 'bob', role: 'viewer', token: 'bob:with:colons' },
  ]);

  it('names the holder of a known token and its role', () => {
    expect(verifier.verify('alice-secret-1')).toEqual({ name: 'alice', role: 'operator' });
    expect(verifier.verify('bob:with:colons')).toEqual({ name: 'bob', role: 'viewer' });
  });

  it.each(['', 'alice-secret', 'alice-secret-12', 'ALICE-SECRET-1', 'bob', 'x'.repeat(10_000)])(
    'knows nobody for %j',
    (token) => {
      expect(verifier.verify(token)).toBeUndefined();
    },
  );

  it('knows nobody when no tokens are configured', () => {
    const none = new AdminTokenVerifier([]);
    expect(none.configured).toBe(false);
    expect(none.verify('anything')).toBeUndefined();
  });
});
