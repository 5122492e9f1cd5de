import { TokenRing } from '../../auth/token-ring';
import type { AdminToken, Role } from '../../config/app-config';

export interface AdminPrincipal {
  /** The token's name: what the audit log records. */
  name: string;
  role: Role;
}

/** Finds whose admin token a request presents, in constant time (see TokenRing). */
export class AdminTokenVerifier {
  private readonly ring: TokenRing<AdminPrincipal>;

  constructor(tokens: readonly AdminToken[]) {
    this.ring = new TokenRing(tokens.map(({ name, role, token }) => ({ token, holder: { name, role } })));
  }

  get configured(): boolean {
    return this.ring.size > 0;
  }

  verify(token: string): AdminPrincipal | undefined {
    return this.ring.find(token);
  }
}
