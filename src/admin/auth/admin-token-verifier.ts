import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminToken, Role } from '../../config/app-config';

export interface AdminPrincipal {
  /** The token's name: what the audit log records. */
  name: string;
  role: Role;
}

interface Known {
  digest: Buffer;
  principal: AdminPrincipal;
}

/**
 * Finds whose token a request presents, in time that does not depend on the token: digests
 * have one length whatever the tokens' lengths, and every configured token is compared, with
 * no early exit on a match.
 */
export class AdminTokenVerifier {
  private readonly known: Known[];

  constructor(tokens: readonly AdminToken[]) {
    this.known = tokens.map(({ name, role, token }) => ({ digest: digest(token), principal: { name, role } }));
  }

  get configured(): boolean {
    return this.known.length > 0;
  }

  verify(token: string): AdminPrincipal | undefined {
    const presented = digest(token);
    let found: AdminPrincipal | undefined;
    for (const { digest: expected, principal } of this.known) {
      const equal = timingSafeEqual(presented, expected);
      found = equal ? principal : found;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
