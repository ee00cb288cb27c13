/**
 * scrub: removes secrets before anything reaches a log. Header values of credentials are
 * replaced wholesale; a URL keeps its path and the names of its query keys, never their values.
 */

/** Request headers whose values never reach the log. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
]);

const REDACTED = '[redacted]';

/** Headers with credential values replaced; names are lower-case as Node delivers them. */
export function scrubHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name] = SENSITIVE_HEADERS.has(name.toLowerCase()) ? REDACTED : value;
  }
  return out;
}

/** A request target split into its path and the names of its query keys (values dropped). */
export function splitTarget(url: string): { path: string; queryKeys: string[] | undefined } {
  const q = url.indexOf('?');
  if (q === -1) return { path: url, queryKeys: undefined };
  const keys: string[] = [];
  for (const pair of url.slice(q + 1).split('&', 50)) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key !== '') keys.push(key.length > 100 ? key.slice(0, 100) : key);
  }
  return { path: url.slice(0, q), queryKeys: keys };
}
