/**
 * Strong entity tags from policy versions. Versions never repeat for a service, even across a
 * delete and a re-create (see `PolicyRepository.nextVersion`), so an old tag cannot match a
 * new policy.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** A parsed `If-Match` / `If-None-Match` header: `*`, or the strong tags it lists. */
export type EntityTagCondition = { any: true } | { any: false; tags: string[] };

/**
 * Reads a list of entity tags (RFC 9110 §13.1.1). Weak tags (`W/"…"`) are kept with their
 * prefix: they never equal a strong tag, which is what If-Match's strong comparison needs.
 * Returns undefined for an absent header.
 */
export function parseEntityTags(header: string | string[] | undefined): EntityTagCondition | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return { any: true };
  const tags = text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return { any: false, tags };
}

/** Whether a condition matches the current version (undefined: there is no current policy). */
export function conditionMatches(condition: EntityTagCondition, version: number | undefined): boolean {
  if (version === undefined) return false;
  return condition.any || condition.tags.includes(etagOf(version));
}
