import type { AdminToken, Role } from './app-config';

/** `name:role:token,…`; the token is everything after the second colon, so it may hold colons. */
export function parseAdminTokens(raw: string): AdminToken[] {
  const tokens: AdminToken[] = [];
  const names = new Set<string>();
  for (const [index, entry] of raw.split(',').entries()) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const first = trimmed.indexOf(':');
    const second = first < 0 ? -1 : trimmed.indexOf(':', first + 1);
    if (first <= 0 || second < 0) {
      throw new Error(`entry ${index + 1} is not name:role:token`);
    }
    const name = trimmed.slice(0, first);
    const role = trimmed.slice(first + 1, second);
    const token = trimmed.slice(second + 1);
    if (role !== 'viewer' && role !== 'operator') {
      // The role is not echoed: in a mistyped `name:token:role` it would be the secret.
      throw new Error(`entry ${index + 1} ("${name}") has an unknown role; use viewer or operator`);
    }
    if (token.length < 8) {
      throw new Error(`entry ${index + 1} ("${name}") has a token shorter than 8 characters`);
    }
    if (names.has(name)) throw new Error(`the name "${name}" appears twice`);
    names.add(name);
    tokens.push({ name, role: role as Role, token });
  }
  return tokens;
}
