import { createHash } from 'node:crypto';

/**
 * A strong entity tag for an encoded answer: a digest of its bytes, so every replica serving
 * the same strategy gives the same tag and a poller moving between replicas behind a load
 * balancer still gets its 304s.
 */
export function pollEtag(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2: weak comparison, `*`
 * matches any current answer). The exact tag, what a poller echoes back, is checked first so
 * the common case is one string comparison.
 */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag) return true;
  const text = Array.isArray(header) ? header.join(',') : header;
  for (const raw of text.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}

/** The `Cache-Control` value for polls: how long a poller may reuse an answer without asking. */
export function pollCacheControl(maxAgeMs: number): string {
  return `max-age=${Math.floor(maxAgeMs / 1000)}`;
}
