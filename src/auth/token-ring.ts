import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Finds whose token a request presents, in time that does not depend on the token: digests
 * have one length whatever the tokens' lengths, and every configured token is compared, with
 * no early exit on a match.
 */
export class TokenRing<T> {
  private readonly known: { digest: Buffer; holder: T }[];

  constructor(entries: readonly { token: string; holder: T }[]) {
    this.known = entries.map(({ token, holder }) => ({ digest: digest(token), holder }));
  }

  get size(): number {
    return this.known.length;
  }

  find(token: string): T | undefined {
    const presented = digest(token);
    let found: T | undefined;
    for (const { digest: expected, holder } of this.known) {
      const equal = timingSafeEqual(presented, expected);
      found = equal ? holder : found;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
