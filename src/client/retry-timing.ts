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

/**
 * Parses `Retry-After` (RFC 9110 §10.2.3): either delay-seconds (a non-negative integer) or an
 * HTTP-date. A date in the past means "now" (0).
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
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // HTTP-date (IMF-fixdate, or the obsolete RFC 850 / asctime forms Date.parse understands).
  // Require a letter so that "1.5" or "-3" are not read as dates.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
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
