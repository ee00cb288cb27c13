/**
 * Retry timing as pure functions: full-jitter exponential backoff and `Retry-After` parsing.
 * No timers here; `deadline.ts` does the waiting.
 */

/**
 * Full-jitter backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"): retry `n`
 * (1-based) waits a uniform random time in `[0, min(cap, base · 2^(n−1)))`.
 *
 * @param retry - 1 for the first retry.
 * @param random - a source of uniform numbers in [0, 1).
 * @returns the wait in ms.
 */
export function fullJitterDelay(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const MONTH = `(${MONTHS.join('|')})`;
// RFC 9110 §5.6.7: IMF-fixdate, and the two obsolete forms a recipient must still accept.
const IMF_FIXDATE = new RegExp(`^(${DAYS.join('|')}), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850 = new RegExp(`^(${LONG_DAYS.join('|')}), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(${DAYS.join('|')}) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

function utc(
  year: number,
  month: string,
  day: number,
  h: number,
  m: number,
  s: number,
): number | undefined {
  const mon = MONTHS.indexOf(month);
  // Leap second 60 allowed by the grammar; anything out of range is not a date.
  if (day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const at = Date.UTC(year, mon, day, h, m, Math.min(s, 59));
  // Reject dates that roll over (31 Feb): the calendar day must survive the round trip.
  return new Date(at).getUTCDate() === day ? at : undefined;
}

/**
 * Parses an HTTP-date strictly (RFC 9110 §5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
 * or the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
 * (`Sun Nov  6 08:49:37 1994`) forms. Anything else (ISO 8601, other zones, free text that
 * `Date.parse` would guess at) is not a date.
 *
 * @returns epoch ms, or `undefined` when `text` is not an HTTP-date.
 */
export function parseHttpDate(text: string, nowMs: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m)
    return utc(
      Number(m[4]),
      m[3] as string,
      Number(m[2]),
      Number(m[5]),
      Number(m[6]),
      Number(m[7]),
    );
  m = RFC850.exec(text);
  if (m) {
    // Two-digit year: a year more than 50 years in the future is the most recent past year with
    // the same last two digits (RFC 9110 §5.6.7).
    const nowYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[4]);
    if (year > nowYear + 50) year -= 100;
    return utc(year, m[3] as string, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m = ASCTIME.exec(text);
  if (m)
    return utc(
      Number(m[7]),
      m[2] as string,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
  return undefined;
}

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): either delay-seconds (a non-negative integer) or an
 * HTTP-date. A date in the past means "now" (0). Delay-seconds too large to represent exactly
 * give `Infinity`, so a caller's cap refuses them rather than treating them as absent.
 *
 * @returns the wait in ms, or `undefined` when the header is absent or malformed.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return Number.isSafeInteger(ms) ? ms : Number.POSITIVE_INFINITY;
  }
  const at = parseHttpDate(text, nowMs);
  return at === undefined ? undefined : Math.max(0, at - nowMs);
}

/** Decision for a `Retry-After` wait against the cap and the remaining deadline. */
export type RetryAfterDecision =
  | { readonly wait: true; readonly delayMs: number }
  | { readonly wait: false; readonly limitMs: number };

/**
 * Whether to honour a `Retry-After` of `delayMs`: only when it fits under `maxRetryAfterMs` and
 * leaves `minAttemptMs` of the `remainingMs` deadline for the attempt itself. Never park the caller.
 */
export function boundRetryAfter(
  delayMs: number,
  maxRetryAfterMs: number,
  remainingMs: number,
  minAttemptMs: number,
): RetryAfterDecision {
  const limitMs = Math.max(0, Math.min(maxRetryAfterMs, remainingMs - minAttemptMs));
  return delayMs <= limitMs ? { wait: true, delayMs } : { wait: false, limitMs };
}
