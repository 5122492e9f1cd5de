/** Service-name patterns as tokens' scopes write them: `*` any run of characters, `?` exactly one. */
export function scopeMatcher(patterns: readonly string[]): (service: string) => boolean {
  const source = patterns
    .map((pattern) =>
      [...pattern]
        .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|/]/g, '\\$&')))
        .join(''),
    )
    .join('|');
  const regex = new RegExp(`^(?:${source})$`, 'su');
  return (service) => regex.test(service);
}
