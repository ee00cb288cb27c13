/**
 * Public option types of `createClient`, and their validation: invalid options throw at creation
 * with the key, the value and the fix, never at the first request.
 */
import type { BreakerState } from './circuit-breaker.js';
import { DEFAULTS } from './defaults.js';
import { didYouMean } from './did-you-mean.js';
import { InvalidClientOptionError, type RequestSummary } from './errors.js';
import type { BodyFactory, RequestBody } from './retry-policy.js';

/**
 * What the client can be called with: a URL string, a `URL` or a `Request`. (Not the DOM's
 * `RequestInfo`, so the types work in a Node-only project without `lib: ["dom"]`.)
 */
export type FetchInput = string | URL | Request;

export type { RequestBody };

/** Query parameters: replace the query of the URL (as ky does). Entries whose value is `undefined` are left out. */
export type SearchParamsInit =
  | string
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string | number | boolean | undefined>>;

/** When and how to retry. */
export interface RetryOptions {
  /** Retries per logical request (attempts = limit + 1). @default 2 */
  limit?: number;
  /** Methods retried without an Idempotency-Key. @default ['GET','HEAD','OPTIONS','PUT','DELETE'] */
  methods?: readonly string[];
  /** Statuses worth another attempt. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: readonly number[];
  /** Statuses whose `Retry-After` header sets the wait. @default [429, 503] */
  afterStatusCodes?: readonly number[];
  /** Full-jitter backoff base, ms: retry n waits uniform(0, min(cap, base·2^(n−1))). @default 100 */
  backoffBase?: number;
  /** Longest backoff wait, ms. @default 5000 */
  backoffCap?: number;
  /** Longest `Retry-After` honoured, ms; longer fails at once with `RetryAfterTooLongError`. @default 10000 */
  maxRetryAfter?: number;
  /** Add a random, per-request `Idempotency-Key` to POST/PATCH (same on every attempt), making them retryable. @default false */
  autoIdempotencyKey?: boolean;
  /** Header that carries the idempotency key. @default 'Idempotency-Key' */
  idempotencyKeyHeader?: string;
}

/** Retry budget: a token bucket per origin. */
export interface RetryBudgetOptions {
  /**
   * Tokens deposited per logical request; a retry that fails costs one, a successful one is
   * refunded; after 429/503/Retry-After every retry costs one. @default 0.115
   */
  ratio?: number;
  /** Tokens at start, per origin. @default 20 */
  initialTokens?: number;
  /** Bucket capacity. @default 20 */
  maxTokens?: number;
}

/** Circuit breaker per origin, over logical requests. */
export interface CircuitBreakerOptions {
  /** Failure ratio (failed / total logical requests in the window) that opens it; must be ≥ the budget ratio. @default 0.5 */
  failureThreshold?: number;
  /** Requests the window must hold before it may open. @default 20 */
  minimumRequests?: number;
  /** Sliding window, ms. @default 10000 */
  window?: number;
  /** Time open before a half-open probe, ms. @default 5000 */
  openDuration?: number;
  /** Random spread of `openDuration` (0.2 = ±20%). @default 0.2 */
  jitter?: number;
  /** Concurrent probes while half-open. @default 1 */
  halfOpenProbes?: number;
}

/** Emitted before every attempt on the wire. */
export interface AttemptEvent {
  readonly request: RequestSummary;
  readonly origin: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** Emitted when a retry is scheduled, before its wait. */
export interface RetryEvent extends AttemptEvent {
  /** The wait before the retry, ms. */
  readonly delayMs: number;
  /** Why: the failure of the previous attempt. */
  readonly error: Error;
}

/** Emitted once when a logical request fails for good. */
export interface GiveUpEvent {
  readonly request: RequestSummary;
  readonly origin: string;
  /** Attempts sent on the wire (0 when the breaker rejected it). */
  readonly attempts: number;
  readonly error: unknown;
}

/** Emitted when an origin's breaker changes state. */
export interface BreakerStateChangeEvent {
  readonly origin: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
}

/** What `beforeRequest` sees, and may change, before each attempt. */
export interface BeforeRequestEvent {
  /** The URL being requested (prefix and search params applied). */
  readonly url: string;
  readonly method: string;
  /**
   * This attempt's headers, fresh for every attempt: set `Authorization` here. Changes do not
   * change whether the request may be retried (that was decided from the caller's headers), and
   * the request's own Idempotency-Key is put back if a hook changes or removes it.
   */
  readonly headers: Headers;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborts when the caller aborts or the deadline passes. */
  readonly signal: AbortSignal;
}

/**
 * Hooks. The `on…` hooks observe, for logging and metrics: they run synchronously and anything
 * they throw is ignored. `beforeRequest` takes part in the request: it may be async, and what it
 * throws rejects the request (not retried), as a body factory's error does.
 */
export interface ClientHooks {
  /** Runs before every attempt; may change the attempt's headers (auth). @default undefined */
  beforeRequest?: (event: BeforeRequestEvent) => void | Promise<void>;
  /** @default undefined */
  onAttempt?: (event: AttemptEvent) => void;
  /** @default undefined */
  onRetry?: (event: RetryEvent) => void;
  /** @default undefined */
  onGiveUp?: (event: GiveUpEvent) => void;
  /** @default undefined */
  onBreakerStateChange?: (event: BreakerStateChangeEvent) => void;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The fetch to wrap. @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Prepended to string inputs (as ky's `prefixUrl`): `prefixUrl: 'https://api.example.com/v1'`
   * and `api('users/7')` request `https://api.example.com/v1/users/7`. An input starting with `/`
   * is refused, since it is ambiguous. `URL` and `Request` inputs are used as they are.
   * @default undefined
   */
  prefixUrl?: string | URL;
  /** Per-attempt timeout (until response headers), ms; `false` for none. @default 10000 */
  timeout?: number | false;
  /** Total deadline of a logical request including retries and waits, ms; `false` for none. @default 30000 */
  deadline?: number | false;
  /** A retry starts only if this much of the deadline remains after its wait, ms. @default 100 */
  minAttemptTime?: number;
  /** Throw `ResponseError` for a non-2xx final response; `false` returns it like fetch does. @default true */
  throwHttpErrors?: boolean;
  /** Bytes of a non-2xx body kept on the error. @default 65536 */
  maxErrorBodyBytes?: number;
  /** Request header carrying the attempt number, so nested layers can avoid multiplying retries; `false` to omit. @default 'Faultline-Attempt' */
  attemptHeader?: string | false;
  /** Retry settings; a number is shorthand for `{ limit }`; `false` disables retries. @default {} (see RetryOptions) */
  retry?: RetryOptions | number | false;
  /** Retry budget; `false` disables it (not recommended). @default {} (see RetryBudgetOptions) */
  budget?: RetryBudgetOptions | false;
  /** Circuit breaker; `false` disables it. @default {} (see CircuitBreakerOptions) */
  breaker?: CircuitBreakerOptions | false;
  /** Logging / metrics hooks. @default {} */
  hooks?: ClientHooks;
  /** Source of uniform random numbers in [0, 1) for jitter (inject a seeded one in tests). @default Math.random */
  random?: () => number;
}

/** `RequestInit` as faultline accepts it: a body may be a factory, plus per-request overrides. */
export interface FaultlineRequestInit extends Omit<RequestInit, 'body'> {
  /** The body, or a factory called once per attempt (makes any body replayable). */
  body?: RequestBody | null | BodyFactory;
  /**
   * A JSON body: sent as `JSON.stringify(json)` with `Content-Type: application/json` (unless
   * set). Not together with `body`. @default undefined
   */
  json?: unknown;
  /** Replaces the URL's query. @default undefined */
  searchParams?: SearchParamsInit;
  /** Needed by Node's fetch for stream bodies. @default 'half' when the body is a stream */
  duplex?: 'half';
  /** Overrides the client's `timeout` for this request, ms. @default the client's `timeout` */
  timeout?: number | false;
  /** Overrides the client's `deadline` for this request, ms. @default the client's `deadline` */
  deadline?: number | false;
  /** Overrides `retry.limit` for this request (0 = no retries). @default the client's `retry.limit` */
  retryLimit?: number;
  /**
   * A key to send as Idempotency-Key, `true` to generate one, `false` to send none.
   * @default a generated key for POST/PATCH when `retry.autoIdempotencyKey` is on, else none
   */
  idempotencyKey?: string | boolean;
}

/** Options with every default applied. */
export interface ResolvedClientOptions {
  readonly fetch: typeof fetch;
  /** The prefix, ending in `/`, or `undefined`. */
  readonly prefixUrl: string | undefined;
  readonly timeout: number | false;
  readonly deadline: number | false;
  readonly minAttemptTime: number;
  readonly throwHttpErrors: boolean;
  readonly maxErrorBodyBytes: number;
  readonly attemptHeader: string | false;
  readonly retry: Required<RetryOptions>;
  readonly budget: Required<RetryBudgetOptions> | false;
  readonly breaker: Required<CircuitBreakerOptions> | false;
  readonly hooks: ClientHooks;
  readonly random: () => number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// Every key each options object accepts. `satisfies Record<keyof T, true>` makes the compiler
// check these lists against the interfaces (a new option cannot be forgotten here).
const CLIENT_KEYS = {
  fetch: true,
  prefixUrl: true,
  timeout: true,
  deadline: true,
  minAttemptTime: true,
  throwHttpErrors: true,
  maxErrorBodyBytes: true,
  attemptHeader: true,
  retry: true,
  budget: true,
  breaker: true,
  hooks: true,
  random: true,
} as const satisfies Record<keyof ClientOptions, true>;
const RETRY_KEYS = {
  limit: true,
  methods: true,
  statusCodes: true,
  afterStatusCodes: true,
  backoffBase: true,
  backoffCap: true,
  maxRetryAfter: true,
  autoIdempotencyKey: true,
  idempotencyKeyHeader: true,
} as const satisfies Record<keyof RetryOptions, true>;
const BUDGET_KEYS = {
  ratio: true,
  initialTokens: true,
  maxTokens: true,
} as const satisfies Record<keyof RetryBudgetOptions, true>;
const BREAKER_KEYS = {
  failureThreshold: true,
  minimumRequests: true,
  window: true,
  openDuration: true,
  jitter: true,
  halfOpenProbes: true,
} as const satisfies Record<keyof CircuitBreakerOptions, true>;
const HOOK_KEYS = {
  beforeRequest: true,
  onAttempt: true,
  onRetry: true,
  onGiveUp: true,
  onBreakerStateChange: true,
} as const satisfies Record<keyof ClientHooks, true>;

/** Refuses keys not in `known`, naming the key, the closest known one and the list. */
function knownKeys(prefix: string, value: object, known: object, what: string): void {
  const names = Object.keys(known);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) {
      throw new InvalidClientOptionError(
        `${prefix}${key}`,
        (value as Record<string, unknown>)[key],
        `remove it or use one of: ${names.join(', ')}`,
        `is not ${what}${didYouMean(key, names)}`,
      );
    }
  }
}

function num(
  key: string,
  value: unknown,
  fallback: number,
  { min = 0, max = Number.POSITIVE_INFINITY, integer = false } = {},
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a finite number';
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidClientOptionError(
      key,
      value,
      `Use ${kind} ${range}, or leave it out for the default (${fallback}).`,
    );
  }
  return value;
}

function msOrFalse(key: string, value: unknown, fallback: number): number | false {
  if (value === false) return false;
  return num(key, value, fallback, { min: 1 });
}

function bool(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new InvalidClientOptionError(key, value, `Use true or false (default ${fallback}).`);
  }
  return value;
}

function headerName(key: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new InvalidClientOptionError(
      key,
      value,
      `Use a valid HTTP header name (RFC 9110 token), e.g. "${fallback}".`,
    );
  }
  return value;
}

function statuses(key: string, value: unknown, fallback: readonly number[]): readonly number[] {
  if (value === undefined) return fallback;
  if (
    !Array.isArray(value) ||
    !value.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599)
  ) {
    throw new InvalidClientOptionError(
      key,
      value,
      `Use an array of HTTP status codes (integers 100–599), e.g. [${fallback.join(', ')}].`,
    );
  }
  return [...(value as number[])];
}

function methods(key: string, value: unknown, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'string' && TOKEN.test(m))) {
    throw new InvalidClientOptionError(
      key,
      value,
      `Use an array of method names, e.g. ${JSON.stringify(fallback)}.`,
    );
  }
  return (value as string[]).map((m) => m.toUpperCase());
}

function section<T extends object>(key: string, value: unknown): T | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidClientOptionError(
      key,
      value,
      'Use an object of settings, or false to disable.',
    );
  }
  return value as T;
}

function prefix(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.search || url.hash) {
    throw new InvalidClientOptionError(
      'prefixUrl',
      value,
      'use an absolute URL without query or fragment, e.g. "https://api.example.com/v1"',
    );
  }
  const href = url.href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** Applies defaults and validates; throws InvalidClientOptionError naming the option. */
export function resolveOptions(options: ClientOptions = {}): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidClientOptionError('options', options, 'Pass an object, or nothing.');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') {
    throw new InvalidClientOptionError(
      'fetch',
      options.fetch,
      'Pass a fetch function; this runtime has no global fetch (Node ≥ 18 and browsers do).',
    );
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') {
    throw new InvalidClientOptionError('random', random, 'Pass a function returning [0, 1).');
  }
  const attemptHeader =
    options.attemptHeader === false
      ? false
      : headerName('attemptHeader', options.attemptHeader, DEFAULTS.attemptHeader);

  knownKeys('', options, CLIENT_KEYS, 'a faultline/client option');
  const r =
    typeof options.retry === 'number'
      ? { limit: options.retry }
      : section<RetryOptions>('retry', options.retry);
  if (r) knownKeys('retry.', r, RETRY_KEYS, 'a retry option');
  const rd = DEFAULTS.retry;
  const retry: Required<RetryOptions> = {
    limit:
      r === false
        ? 0
        : num(typeof options.retry === 'number' ? 'retry' : 'retry.limit', r?.limit, rd.limit, {
            max: 10,
            integer: true,
          }),
    methods: methods('retry.methods', r ? r.methods : undefined, rd.methods),
    statusCodes: statuses('retry.statusCodes', r ? r.statusCodes : undefined, rd.statusCodes),
    afterStatusCodes: statuses(
      'retry.afterStatusCodes',
      r ? r.afterStatusCodes : undefined,
      rd.afterStatusCodes,
    ),
    backoffBase: num('retry.backoffBase', r ? r.backoffBase : undefined, rd.backoffBase),
    backoffCap: num('retry.backoffCap', r ? r.backoffCap : undefined, rd.backoffCap),
    maxRetryAfter: num('retry.maxRetryAfter', r ? r.maxRetryAfter : undefined, rd.maxRetryAfter),
    autoIdempotencyKey: bool(
      'retry.autoIdempotencyKey',
      r ? r.autoIdempotencyKey : undefined,
      rd.autoIdempotencyKey,
    ),
    idempotencyKeyHeader: headerName(
      'retry.idempotencyKeyHeader',
      r ? r.idempotencyKeyHeader : undefined,
      rd.idempotencyKeyHeader,
    ),
  };
  if (retry.backoffCap < retry.backoffBase) {
    throw new InvalidClientOptionError(
      'retry.backoffCap',
      retry.backoffCap,
      `Must be ≥ retry.backoffBase (${retry.backoffBase} ms).`,
    );
  }

  const b = section<RetryBudgetOptions>('budget', options.budget);
  if (b) knownKeys('budget.', b, BUDGET_KEYS, 'a budget option');
  const bd = DEFAULTS.budget;
  const budget: Required<RetryBudgetOptions> | false =
    b === false
      ? false
      : {
          ratio: num('budget.ratio', b?.ratio, bd.ratio, { max: 1 }),
          initialTokens: num('budget.initialTokens', b?.initialTokens, bd.initialTokens),
          maxTokens: num('budget.maxTokens', b?.maxTokens, bd.maxTokens, { min: 1 }),
        };

  const c = section<CircuitBreakerOptions>('breaker', options.breaker);
  if (c) knownKeys('breaker.', c, BREAKER_KEYS, 'a breaker option');
  const cd = DEFAULTS.breaker;
  const breaker: Required<CircuitBreakerOptions> | false =
    c === false
      ? false
      : {
          failureThreshold: num(
            'breaker.failureThreshold',
            c?.failureThreshold,
            cd.failureThreshold,
            {
              min: Number.MIN_VALUE,
              max: 1,
            },
          ),
          minimumRequests: num('breaker.minimumRequests', c?.minimumRequests, cd.minimumRequests, {
            min: 1,
            integer: true,
          }),
          window: num('breaker.window', c?.window, cd.window, { min: 10 }),
          openDuration: num('breaker.openDuration', c?.openDuration, cd.openDuration),
          jitter: num('breaker.jitter', c?.jitter, cd.jitter, { max: 1 }),
          halfOpenProbes: num('breaker.halfOpenProbes', c?.halfOpenProbes, cd.halfOpenProbes, {
            min: 1,
            integer: true,
          }),
        };

  // A breaker that opens below the budget ratio would trip on failure rates the budget is sized to
  // absorb with retries: the two would fight. Refuse the combination.
  if (breaker && budget && breaker.failureThreshold < budget.ratio) {
    throw new InvalidClientOptionError(
      'breaker.failureThreshold',
      breaker.failureThreshold,
      `Must be ≥ budget.ratio (${budget.ratio}); raise breaker.failureThreshold or lower budget.ratio.`,
    );
  }

  const hooks = section<ClientHooks>('hooks', options.hooks) || {};
  knownKeys('hooks.', hooks, HOOK_KEYS, 'a hook');
  for (const [name, fn] of Object.entries(hooks)) {
    if (fn !== undefined && typeof fn !== 'function') {
      throw new InvalidClientOptionError(`hooks.${name}`, fn, 'Pass a function, or leave it out.');
    }
  }

  return {
    fetch: fetchImpl,
    prefixUrl: prefix(options.prefixUrl),
    timeout: msOrFalse('timeout', options.timeout, DEFAULTS.timeout),
    deadline: msOrFalse('deadline', options.deadline, DEFAULTS.deadline),
    minAttemptTime: num('minAttemptTime', options.minAttemptTime, DEFAULTS.minAttemptTime),
    throwHttpErrors: bool('throwHttpErrors', options.throwHttpErrors, DEFAULTS.throwHttpErrors),
    maxErrorBodyBytes: num(
      'maxErrorBodyBytes',
      options.maxErrorBodyBytes,
      DEFAULTS.maxErrorBodyBytes,
      {
        integer: true,
      },
    ),
    attemptHeader,
    retry,
    budget,
    breaker,
    hooks,
    random,
  };
}
