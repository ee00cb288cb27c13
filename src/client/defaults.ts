/**
 * Every default of faultline/client in one place, with units. The reasoning behind each number is
 * in docs/client.md ("Defaults explained"); the bench in bench/client-resilience.js measures them.
 */

/** Methods RFC 9110 §9.2.2 defines as idempotent (TRACE left out: nobody should send it). */
export const IDEMPOTENT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] as const;

export const DEFAULTS = {
  /** Per-attempt timeout, ms (until response headers). */
  timeout: 10_000,
  /** Total deadline for the logical request including retries and waits, ms. */
  deadline: 30_000,
  /** A retry starts only if at least this much of the deadline is left after its wait, ms. */
  minAttemptTime: 100,
  /** Bytes of a non-2xx body kept on the error (the rest is cancelled, not read). */
  maxErrorBodyBytes: 65_536,
  /** Request header carrying the attempt number (1, 2, 3…). */
  attemptHeader: 'Faultline-Attempt',
  /** Throw `ResponseError` on non-2xx after retries. */
  throwHttpErrors: true,
  retry: {
    /** Retries per logical request (so at most 3 attempts). */
    limit: 2,
    methods: IDEMPOTENT_METHODS as readonly string[],
    /** Outcomes worth another attempt: timeout, throttled, and transient server failures. */
    statusCodes: [408, 429, 500, 502, 503, 504] as readonly number[],
    /** Statuses whose `Retry-After` is honoured (RFC 9110 §10.2.3 names 503 and 3xx; RFC 6585 adds 429). */
    afterStatusCodes: [429, 503] as readonly number[],
    /** Full-jitter backoff: retry n waits uniform(0, min(cap, base·2^(n−1))), ms. */
    backoffBase: 100,
    /** Upper bound of one backoff wait, ms. */
    backoffCap: 5_000,
    /** Longest `Retry-After` honoured, ms; a longer one fails at once with `retryAt`. */
    maxRetryAfter: 10_000,
    /** Add an `Idempotency-Key` to POST/PATCH so they may be retried. */
    autoIdempotencyKey: false,
    idempotencyKeyHeader: 'Idempotency-Key',
  },
  budget: {
    /**
     * Tokens each logical request deposits. A *failed* retry costs 1 token (a successful one is
     * refunded), so failed retries ≤ ratio × requests (+ maxTokens) whatever the failure pattern:
     * an outage adds at most 11.5% load (+ maxTokens). 0.115 covers what 30% independent
     * failures charge (0.09 failed first retries + 0.027 failed second ones, all but a little).
     */
    ratio: 0.115,
    /** Tokens at start (so the first failures can be retried), per origin. */
    initialTokens: 20,
    /** Bucket size: at most this many failed retries in a burst after a quiet period, per origin. */
    maxTokens: 20,
  },
  breaker: {
    /** Open when failed / total logical requests in the window reaches this ratio. */
    failureThreshold: 0.5,
    /** …and the window holds at least this many logical requests. */
    minimumRequests: 20,
    /** Sliding window length, ms (10 buckets). */
    window: 10_000,
    /** How long the breaker stays open before a half-open probe, ms. */
    openDuration: 5_000,
    /** Random spread of `openDuration`, as a fraction: 0.2 → 4–6 s, so clients do not probe in step. */
    jitter: 0.2,
    /** Concurrent probe requests allowed while half-open. */
    halfOpenProbes: 1,
  },
} as const;
