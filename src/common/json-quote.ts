/** What JSON.stringify may escape or check in a string: quotes, backslashes, controls, surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it must find
const MAY_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify's quoting; most names need none of its escapes, and the test costs half its work. */
export function quoted(name: string): string {
  return MAY_ESCAPE.test(name) ? JSON.stringify(name) : `"${name}"`;
}
