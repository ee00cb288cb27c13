/**
 * scrub: removes secrets before anything reaches a log or a trace. Header values of credentials
 * are replaced wholesale; a URL keeps its path and the names of its query keys, never their
 * values; every other string (messages, stacks, causes, paths, header values) is searched for
 * things that look like secrets: bearer tokens, JWTs, AWS access key ids and secret keys,
 * Stripe-style `sk_live_` keys, Luhn-valid card numbers, private-key blocks, `user:pass@` in
 * URLs and `key=value` / `"key": "value"` pairs with a sensitive key name.
 *
 * Each pattern runs on the original text and the matched ranges are merged before replacing, so
 * one pattern's replacement can never hide another pattern's secret. Every quantifier is bounded:
 * the cost is linear in the length of the text, whoever wrote it.
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

/**
 * Key names whose values are secrets, matched case-insensitively as substrings of a key
 * (`db_password`, `X-Session-Token`, `clientSecret` all match), with `-` and `_` interchangeable.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'api_key',
  'apikey',
  'authorization',
  'credential',
  'private_key',
  'privatekey',
  'access_key',
  'session',
  'cookie',
  'signature',
];

/** What replaces a secret. */
export const REDACTED = '[redacted]';

/** Options of {@link Scrubber}: additions to the built-in rules (which cannot be removed). */
export interface ScrubOptions {
  /** Extra sensitive key names (substring, case-insensitive), e.g. `['ssn', 'iban']`. */
  readonly keys?: readonly string[];
  /**
   * Extra patterns. The whole match is redacted, or only the named groups whose names start with
   * `secret` when the pattern has any (e.g. `/card=(?<secret>\d+)/`).
   */
  readonly patterns?: readonly RegExp[];
}

interface Rule {
  readonly re: RegExp;
  /** Redact only named groups starting with `secret`; else the whole match. */
  readonly groups: boolean;
  /** A second look at a whole match (a checksum, a character mix); false keeps the text. */
  readonly check?: (match: string) => boolean;
}

/** Luhn's checksum (ISO/IEC 7812) over the digits of `text`, separators ignored. */
export function luhnValid(text: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    digits++;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

/**
 * An AWS secret access key is 40 characters of base64 with no fixed prefix; requiring upper
 * case, lower case and a digit in the same token leaves out git SHAs (hex) and plain words.
 */
function mixedBase64(text: string): boolean {
  return /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text);
}

const MAX_VALUE = 4096;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `-` and `_` are interchangeable in key names (`api-key` = `api_key`). */
function keySource(key: string): string {
  return escapeRegExp(key.toLowerCase()).replace(/[-_]/g, '[-_]?');
}

function builtInRules(keys: readonly string[]): Rule[] {
  const keyAlt = keys.map(keySource).join('|');
  return [
    // PEM private keys, including blocks cut short by a length bound (no END line).
    {
      re: /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----|$)/g,
      groups: false,
    },
    // Credentials in a URL: scheme://user:pass@host. The userinfo runs to the last `@` before the
    // host because passwords with a raw `@` are common even though RFC 3986 wants them encoded.
    // Anchored on the literal `://` (not the scheme): a scheme prefix made this rule 40x slower.
    { re: /:\/\/(?<secret>[^\s/?#@]{1,1024}(?:@[^\s/?#@]{0,1024})*)@/g, groups: true },
    // HTTP auth schemes followed by their credentials (Authorization values, curl -H ...). Case
    // variants are listed rather than using /i so prose such as "basic validation" stays legible.
    {
      re: /\b(?:[Bb]earer|BEARER|Basic|BASIC|Digest|Negotiate|NTLM)[ \t]{1,10}(?<secret>[A-Za-z0-9._~+/=-]{8,4096})/g,
      groups: true,
    },
    // JWT / JWS / JWE: base64url JSON header `{"` → `eyJ`, then dot-separated parts.
    { re: /eyJ[A-Za-z0-9_-]{6,8192}(?:\.[A-Za-z0-9_-]{0,8192}){0,4}/g, groups: false },
    // AWS access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
    {
      re: /(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA)[A-Z0-9]{16}/g,
      groups: false,
    },
    // Payment card numbers: 13–19 digits, optionally in groups split by single spaces or dashes,
    // starting as the card networks do (2–6), and passing the Luhn checksum.
    {
      re: /(?<![0-9])[2-6][0-9](?:[ -]?[0-9]){11,17}(?![0-9])/g,
      groups: false,
      check: luhnValid,
    },
    // Secret API keys in Stripe's style: sk_live_…, sk_test_…, rk_live_…, rk_test_….
    { re: /\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,247}/g, groups: false },
    // AWS secret access keys: exactly 40 base64 characters standing alone, of mixed case and digits.
    {
      re: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
      groups: false,
      check: mixedBase64,
    },
    // Header lines of credential headers: the value runs to the end of the line.
    {
      re: /\b(?:proxy-)?(?:authorization|cookie|set-cookie|x-api-key|x-auth-token)[ \t]{0,10}:[ \t]{0,10}(?![ \t"'\\])(?<secret>[^\r\n]{1,4096})/gi,
      groups: true,
    },
    // key=value, key: value, "key": "value", key="value", 'key' => 'value' (PHP, Ruby), and JSON
    // escaped inside JSON. Not stack
    // locations of files named after a key (`at login (/app/session.js:12:3)`).
    {
      re: new RegExp(
        `(?:${keyAlt})(?![\\w.-]{0,64}\\.[cm]?[jt]sx?:\\d)[\\w.-]{0,64}\\\\?["']?[ \\t]{0,10}(?:[:=]>?)[ \\t]{0,10}(?:\\\\?"(?<secretA>(?:[^"\\\\\\n]|\\\\[^"\\n]){1,${MAX_VALUE}})|\\\\?'(?<secretB>[^'\\n]{1,${MAX_VALUE}})|(?<secretC>[^\\s"'&,;\\\\]{1,${MAX_VALUE}}))`,
        'gi',
      ),
      groups: true,
    },
  ];
}

function withIndices(re: RegExp): RegExp {
  let flags = re.flags;
  if (!flags.includes('g')) flags += 'g';
  if (!flags.includes('d')) flags += 'd';
  // A sticky flag would stop the scan at the first non-match.
  return new RegExp(re.source, flags.replace('y', ''));
}

function hasSecretGroups(re: RegExp): boolean {
  return /\(\?<secret/.test(re.source);
}

/**
 * Scrubs strings and headers. Build once (it compiles its patterns); `string()` is pure and
 * never throws.
 * @example
 * const scrubber = new Scrubber({ keys: ['ssn'] });
 * scrubber.string('login failed: password=hunter2'); // 'login failed: password=[redacted]'
 */
export class Scrubber {
  readonly #rules: Rule[];
  readonly #keys: readonly string[];
  readonly #keyTest: RegExp;

  constructor(options: ScrubOptions = {}) {
    const extra = (options.keys ?? []).filter((k) => k.length > 0);
    this.#keys = [...SENSITIVE_KEYS, ...extra.map((k) => k.toLowerCase())];
    this.#keyTest = new RegExp(this.#keys.map(keySource).join('|'), 'i');
    this.#rules = builtInRules(this.#keys).map((r) => ({ ...r, re: withIndices(r.re) }));
    for (const re of options.patterns ?? []) {
      this.#rules.push({ re: withIndices(re), groups: hasSecretGroups(re) });
    }
  }

  /** Sensitive key names in effect (built-in and extra), lower-case. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** True when a key (query, body, header name) names a secret. */
  isSensitiveKey(name: string): boolean {
    return this.#keyTest.test(name);
  }

  /** `text` with every secret-looking part replaced by `[redacted]`. Never throws. */
  string(text: string): string {
    if (text.length === 0) return text;
    try {
      return this.#scrub(text);
    } catch {
      // A pattern that fails (a user RegExp with a pathological source) must not let text through.
      return REDACTED;
    }
  }

  #scrub(text: string): string {
    let ranges: Array<[number, number]> | undefined;
    for (const { re, groups, check } of this.#rules) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        if (check !== undefined && !check(m[0])) continue;
        ranges ??= [];
        const named = groups ? m.indices?.groups : undefined;
        let any = false;
        if (named !== undefined) {
          for (const name in named) {
            const span = named[name];
            if (span !== undefined && name.startsWith('secret') && span[1] > span[0]) {
              ranges.push([span[0], span[1]]);
              any = true;
            }
          }
        }
        if (!any) ranges.push([m.index, m.index + m[0].length]);
      }
    }
    if (ranges === undefined) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let pos = 0;
    let open = -1;
    let close = -1;
    for (const [start, end] of ranges) {
      if (start <= close) {
        if (end > close) close = end;
        continue;
      }
      if (open !== -1) {
        out += `${text.slice(pos, open)}${REDACTED}`;
        pos = close;
      }
      open = start;
      close = end;
    }
    out += `${text.slice(pos, open)}${REDACTED}${text.slice(close)}`;
    return out;
  }

  /**
   * Headers fit for a log: values of credential headers (and of headers whose name contains a
   * sensitive key, such as `x-session-id`) replaced; every other value pattern-scrubbed.
   */
  headers(
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const name of Object.keys(headers)) {
      const value = headers[name];
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (SENSITIVE_HEADERS.has(lower) || this.isSensitiveKey(lower)) {
        out[name] = REDACTED;
      } else {
        out[name] = Array.isArray(value)
          ? value.map((v) => this.string(String(v)))
          : this.string(String(value));
      }
    }
    return out;
  }
}

const DEFAULT_SCRUBBER = new Scrubber();

/** Headers with credential values replaced; names are lower-case as Node delivers them. */
export function scrubHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  return DEFAULT_SCRUBBER.headers(headers);
}

/** `text` with secrets replaced, using the built-in rules. Never throws. */
export function scrubString(text: string): string {
  return DEFAULT_SCRUBBER.string(text);
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
