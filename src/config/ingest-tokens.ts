import type { IngestToken } from './app-config';

/** Names end up in metric labels and logs, so they keep to a safe alphabet. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `name:token` or `name:token:scope,…`; a scope is service-name patterns (`*` any run, `?` one
 * character) joined with `|`. Tokens therefore hold no colon or comma.
 */
export function parseIngestTokens(raw: string): IngestToken[] {
  const tokens: IngestToken[] = [];
  const names = new Set<string>();
  for (const [index, entry] of raw.split(',').entries()) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const parts = trimmed.split(':');
    if (parts.length < 2 || parts.length > 3) throw new Error(`entry ${index + 1} is not name:token or name:token:scope`);
    const [name, token, scope] = parts;
    // The token is never echoed, so a mistake cannot print a secret into a log.
    if (!NAME.test(name)) throw new Error(`entry ${index + 1} has a name that is not 1-64 of A-Z a-z 0-9 . _ -`);
    if (token.length < 8) throw new Error(`entry ${index + 1} ("${name}") has a token shorter than 8 characters`);
    if (names.has(name)) throw new Error(`the name "${name}" appears twice`);
    names.add(name);
    let patterns: string[] | undefined;
    if (scope !== undefined) {
      patterns = scope.split('|').map((pattern) => pattern.trim());
      if (patterns.some((pattern) => pattern === '')) {
        throw new Error(`entry ${index + 1} ("${name}") has an empty scope pattern`);
      }
    }
    tokens.push({ name, token, ...(patterns && { scope: patterns }) });
  }
  return tokens;
}
