import { FieldError } from '../errors/domain-error';

/**
 * The service named by a raw admin URL `<prefix>/<encoded name><suffix>`, or undefined when the
 * URL has another shape. Read from the raw URL because a route parameter is decoded first, and
 * then `a%2Fhistory` (a service named "a/history") and `a/history` would look alike.
 */
export function serviceInUrl(url: string, prefix: string, suffix: string): string | undefined {
  const path = url.split('?', 1)[0];
  if (!path.startsWith(`${prefix}/`) || !path.endsWith(suffix)) return undefined;
  const encoded = path.slice(prefix.length + 1, path.length - suffix.length);
  if (encoded === '') return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new FieldError('service', 'is not valid URL encoding');
  }
}
