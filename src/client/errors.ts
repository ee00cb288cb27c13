/**
 * Errors thrown by faultline/client. Every class has a `name` literal, a stable `code` from
 * {@link CLIENT_ERROR_CODES}, and a `Symbol.for` brand so the `is…()` guards work across realms
 * and across two installed copies of faultline (where `instanceof` would lie).
 */
import type { ProblemDetails } from '../core/problem.js';

/** Stable error codes of faultline/client, with what each means. Pinned by a test against the docs. */
export const CLIENT_ERROR_CODES = {
  FAULTLINE_RESPONSE_ERROR:
    'The server answered with a non-2xx status (ResponseError, ProblemError).',
  FAULTLINE_TIMEOUT: 'An attempt timed out, or the total deadline passed (TimeoutError).',
  FAULTLINE_CIRCUIT_OPEN:
    'The circuit breaker for this origin is open; this attempt was not sent, `attempts` says how many were (CircuitOpenError).',
  FAULTLINE_RETRY_BUDGET_EXHAUSTED:
    'A retry was warranted but the retry budget for this origin is spent (RetryBudgetExhaustedError).',
  FAULTLINE_BODY_NOT_REPLAYABLE:
    'A retry was warranted but the request body is a one-shot stream (BodyNotReplayableError).',
  FAULTLINE_RETRY_AFTER_TOO_LONG:
    'Retry-After asks for a wait above the cap or past the deadline (RetryAfterTooLongError).',
  FAULTLINE_NETWORK_ERROR:
    'No HTTP response: connection refused, reset, DNS failure… (NetworkError).',
  FAULTLINE_INVALID_CLIENT_OPTION:
    'createClient was given an invalid option (InvalidClientOptionError).',
} as const;

/** One of the stable codes in {@link CLIENT_ERROR_CODES}. */
export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

/** Brand shared by every faultline/client error, registered globally so it survives realms. */
export const CLIENT_ERROR_BRAND: unique symbol = Symbol.for('faultline.client.error') as never;

/** Method and URL of the request an error is about; the URL is given without its query string. */
export interface RequestSummary {
  readonly method: string;
  readonly url: string;
}

/** URL without query and fragment, so messages and logs do not leak tokens passed in the query. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}

/** Base class of every error faultline/client throws. */
export class FaultlineClientError extends Error {
  override name: string = 'FaultlineClientError';
  readonly code: ClientErrorCode;
  declare readonly [CLIENT_ERROR_BRAND]: true;

  constructor(code: ClientErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, CLIENT_ERROR_BRAND, { value: true });
  }
}

/**
 * What the last response said. Present on {@link ResponseError}, and on every other error raised
 * after a response was received (the retry that was refused, the wait that was cut short), so a
 * 429 with `Retry-After: 3600` still shows its status and incident id.
 */
export interface ResponseDetails {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The response; its body has been consumed into `body`. */
  readonly response: Response;
  /** Incident id from the `Faultline-Incident` header (or the problem's `incident` member). */
  readonly incident: string | undefined;
  /** RFC 9457 problem details, when the body was `application/problem+json`. */
  readonly problem: ProblemDetails | undefined;
  /** The body as text, read once and bounded by `maxErrorBodyBytes`. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  /** When the server asked to be retried (`Retry-After`), if it did. */
  readonly retryAt: Date | undefined;
}

/** {@link ResponseDetails} that may be absent: the error may have been raised before any response. */
export type MaybeResponseDetails = {
  readonly [K in keyof ResponseDetails]: ResponseDetails[K] | undefined;
};

/** Everything needed to describe a non-2xx response; the body has already been read (bounded). */
export interface ResponseErrorInit {
  readonly request: RequestSummary;
  readonly response: Response;
  /** The body as text, at most `maxErrorBodyBytes` bytes of it. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  readonly incident: string | undefined;
  readonly retryAt: Date | undefined;
}

/** The server answered with a non-2xx status. */
export class ResponseError extends FaultlineClientError implements ResponseDetails {
  override name: 'ResponseError' | 'ProblemError' = 'ResponseError';
  declare readonly code: 'FAULTLINE_RESPONSE_ERROR';
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The response; its body has been consumed into {@link ResponseError.body}. */
  readonly response: Response;
  readonly request: RequestSummary;
  /** Incident id from the `Faultline-Incident` header (or the problem's `incident` member). */
  readonly incident: string | undefined;
  /** Problem details when the body was `application/problem+json` (see {@link ProblemError}). */
  readonly problem: ProblemDetails | undefined;
  /** The body as text, read once and bounded by `maxErrorBodyBytes`. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  /** When the server asked to be retried (`Retry-After`), if it did. */
  readonly retryAt: Date | undefined;

  constructor(init: ResponseErrorInit, options?: ErrorOptions, problem?: ProblemDetails) {
    const { response, request, incident } = init;
    const phrase = response.statusText ? ` ${response.statusText}` : '';
    super(
      'FAULTLINE_RESPONSE_ERROR',
      `${request.method} ${request.url} answered ${response.status}${phrase}${incident ? ` (incident ${incident})` : ''}`,
      options,
    );
    this.status = response.status;
    this.statusText = response.statusText;
    this.headers = response.headers;
    this.response = response;
    this.request = request;
    this.incident = incident;
    this.body = init.body;
    this.bodyTruncated = init.bodyTruncated;
    this.retryAt = init.retryAt;
    this.problem = problem;
  }
}

/** A non-2xx response whose body is RFC 9457 problem details (`application/problem+json`). */
export class ProblemError extends ResponseError {
  override name = 'ProblemError' as const;
  declare readonly problem: ProblemDetails;
  /** The problem's `type` (RFC 9457 §3.1.1: absent means `about:blank`). */
  readonly type: string;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly instance: string | undefined;

  constructor(init: ResponseErrorInit, problem: ProblemDetails, options?: ErrorOptions) {
    super(init, options, problem);
    this.type = typeof problem.type === 'string' ? problem.type : 'about:blank';
    this.title = typeof problem.title === 'string' ? problem.title : undefined;
    this.detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    this.instance = typeof problem.instance === 'string' ? problem.instance : undefined;
  }
}

function responseDetailsOf(cause: unknown): ResponseDetails | undefined {
  return isResponseError(cause) ? cause : undefined;
}

/**
 * Base of the errors that may be raised after a response was received (a retry refused, a wait cut
 * short): when `cause` is the {@link ResponseError} of that response, its status, headers, problem
 * and incident are copied here, so a catch block sees them without digging into `cause`.
 */
export abstract class AfterResponseError
  extends FaultlineClientError
  implements MaybeResponseDetails
{
  readonly status: number | undefined;
  readonly statusText: string | undefined;
  readonly headers: Headers | undefined;
  readonly response: Response | undefined;
  readonly incident: string | undefined;
  readonly problem: ProblemDetails | undefined;
  readonly body: string | undefined;
  readonly bodyTruncated: boolean | undefined;
  readonly retryAt: Date | undefined;

  constructor(code: ClientErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    const last = responseDetailsOf(options?.cause);
    this.status = last?.status;
    this.statusText = last?.statusText;
    this.headers = last?.headers;
    this.response = last?.response;
    this.incident = last?.incident;
    this.problem = last?.problem;
    this.body = last?.body;
    this.bodyTruncated = last?.bodyTruncated;
    this.retryAt = last?.retryAt;
  }
}

function afterStatus(cause: unknown): string {
  const last = responseDetailsOf(cause);
  if (!last) return '';
  return ` (last response ${last.status}${last.incident ? `, incident ${last.incident}` : ''})`;
}

/** An attempt took longer than `timeout`, or the request as a whole passed its `deadline`. */
export class TimeoutError extends AfterResponseError {
  override name = 'TimeoutError' as const;
  declare readonly code: 'FAULTLINE_TIMEOUT';
  /** `attempt`: one attempt hit `timeout` (retryable); `deadline`: the total budget is spent. */
  readonly scope: 'attempt' | 'deadline';
  readonly timeoutMs: number;
  readonly request: RequestSummary;

  /** `cause`, when the deadline passed during a wait, is the failure that was being retried. */
  constructor(
    request: RequestSummary,
    scope: 'attempt' | 'deadline',
    timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(
      'FAULTLINE_TIMEOUT',
      scope === 'attempt'
        ? `${request.method} ${request.url}: attempt timed out after ${timeoutMs} ms`
        : `${request.method} ${request.url}: deadline of ${timeoutMs} ms passed${afterStatus(options?.cause)}`,
      options,
    );
    this.scope = scope;
    this.timeoutMs = timeoutMs;
    this.request = request;
  }
}

/**
 * The breaker for the origin is open: this attempt was not sent. `attempts` says how many earlier
 * attempts of the same request were (0: nothing at all was sent); after one or more, `cause` is the
 * last failure and its response details are copied here.
 */
export class CircuitOpenError extends AfterResponseError {
  override name = 'CircuitOpenError' as const;
  declare readonly code: 'FAULTLINE_CIRCUIT_OPEN';
  readonly origin: string;
  /** Earliest time the breaker lets a probe through. */
  declare readonly retryAt: Date;
  /** Attempts of this request sent before the breaker refused the next one (0: nothing sent). */
  readonly attempts: number;

  constructor(origin: string, retryAt: Date, options?: ErrorOptions & { attempts?: number }) {
    const attempts = options?.attempts ?? 0;
    super(
      'FAULTLINE_CIRCUIT_OPEN',
      attempts === 0
        ? `circuit open for ${origin}: too many recent failures; nothing was sent; next probe after ${isoOrMax(retryAt)}`
        : `circuit open for ${origin}: retry not sent after ${attempts} attempt(s)${afterStatus(options?.cause)}; next probe after ${isoOrMax(retryAt)}`,
      options,
    );
    this.origin = origin;
    this.retryAt = retryAt;
    this.attempts = attempts;
  }
}

/** A retry was warranted but the origin's retry budget is spent; `cause` is the last failure. */
export class RetryBudgetExhaustedError extends AfterResponseError {
  override name = 'RetryBudgetExhaustedError' as const;
  declare readonly code: 'FAULTLINE_RETRY_BUDGET_EXHAUSTED';
  readonly origin: string;

  constructor(origin: string, options?: ErrorOptions) {
    super(
      'FAULTLINE_RETRY_BUDGET_EXHAUSTED',
      `retry budget for ${origin} is spent: not retrying${afterStatus(options?.cause)}`,
      options,
    );
    this.origin = origin;
  }
}

/** A retry was warranted but the body is a one-shot stream; `cause` is the failure. */
export class BodyNotReplayableError extends AfterResponseError {
  override name = 'BodyNotReplayableError' as const;
  declare readonly code: 'FAULTLINE_BODY_NOT_REPLAYABLE';
  readonly request: RequestSummary;

  constructor(request: RequestSummary, options?: ErrorOptions) {
    super(
      'FAULTLINE_BODY_NOT_REPLAYABLE',
      `${request.method} ${request.url}: cannot retry${afterStatus(options?.cause)}, the request body is a one-shot stream; ` +
        'pass a string, bytes, Blob, FormData or a body factory `() => body` to make it replayable',
      options,
    );
    this.request = request;
  }
}

/**
 * The server's `Retry-After` is above `maxRetryAfter` or past the deadline: given up at once.
 * Always raised after a response: `cause` is its {@link ResponseError}, whose details are copied.
 */
export class RetryAfterTooLongError extends AfterResponseError implements ResponseDetails {
  override name = 'RetryAfterTooLongError' as const;
  declare readonly code: 'FAULTLINE_RETRY_AFTER_TOO_LONG';
  declare readonly status: number;
  declare readonly statusText: string;
  declare readonly headers: Headers;
  declare readonly response: Response;
  declare readonly body: string;
  declare readonly bodyTruncated: boolean;
  /** When the server said it may be retried (capped at the largest Date for absurd values). */
  declare readonly retryAt: Date;
  declare readonly cause: ResponseError;
  /** The wait asked for, in ms (may be `Infinity` for a value too large to represent). */
  readonly retryAfterMs: number;
  /** The longest wait that was acceptable (the lower of `maxRetryAfter` and the deadline), in ms. */
  readonly limitMs: number;

  constructor(cause: ResponseError, retryAt: Date, retryAfterMs: number, limitMs: number) {
    super(
      'FAULTLINE_RETRY_AFTER_TOO_LONG',
      `server answered ${cause.status}${cause.incident ? ` (incident ${cause.incident})` : ''} and asked to retry after ` +
        `${Number.isFinite(retryAfterMs) ? `${Math.round(retryAfterMs)} ms` : 'an unbounded time'} (at ${isoOrMax(retryAt)}), ` +
        `more than the ${Math.round(limitMs)} ms this request may wait; not waiting`,
      { cause },
    );
    this.retryAt = retryAt;
    this.retryAfterMs = retryAfterMs;
    this.limitMs = limitMs;
  }
}

/** No HTTP response at all (refused, reset, DNS…); `cause` is what fetch threw. */
export class NetworkError extends FaultlineClientError {
  override name = 'NetworkError' as const;
  declare readonly code: 'FAULTLINE_NETWORK_ERROR';
  readonly request: RequestSummary;

  constructor(request: RequestSummary, options?: ErrorOptions) {
    const detail = describeCause(options?.cause);
    super(
      'FAULTLINE_NETWORK_ERROR',
      `${request.method} ${request.url}: network error${detail}`,
      options,
    );
    this.request = request;
  }
}

/**
 * `createClient` (or a request) was given an option it cannot use. The message names the key, the
 * problem and the fix, in the style of the server's configuration errors:
 * `faultline/client: option "retry.limt" is not a retry option (did you mean "limit"?). Fix: …`.
 */
export class InvalidClientOptionError extends FaultlineClientError {
  override name = 'InvalidClientOptionError' as const;
  declare readonly code: 'FAULTLINE_INVALID_CLIENT_OPTION';
  readonly option: string;
  readonly value: unknown;

  /** `problem` defaults to "is <value>", for a known option with a value it cannot use. */
  constructor(option: string, value: unknown, fix: string, problem?: string) {
    super(
      'FAULTLINE_INVALID_CLIENT_OPTION',
      `faultline/client: option "${option}" ${problem ?? `is ${formatValue(value)}`}. Fix: ${fix}`,
    );
    this.option = option;
    this.value = value;
  }
}

/** Every error faultline/client throws: `switch (error.code)` narrows to the class. */
export type ClientError =
  | ResponseError
  | TimeoutError
  | CircuitOpenError
  | RetryBudgetExhaustedError
  | BodyNotReplayableError
  | RetryAfterTooLongError
  | NetworkError
  | InvalidClientOptionError;

/** A client error raised after a response was received: the response's details are present. */
export type ErrorWithResponse =
  | ResponseError
  | RetryAfterTooLongError
  | (TimeoutError & ResponseDetails)
  | (CircuitOpenError & ResponseDetails)
  | (RetryBudgetExhaustedError & ResponseDetails)
  | (BodyNotReplayableError & ResponseDetails);

/** The largest Date (year 275760), so an absurd Retry-After still gives a printable `retryAt`. */
export const MAX_DATE_MS = 8.64e15;

function isoOrMax(date: Date): string {
  return Number.isNaN(date.getTime()) ? new Date(MAX_DATE_MS).toISOString() : date.toISOString();
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function describeCause(cause: unknown): string {
  // undici wraps the socket error: TypeError('fetch failed', { cause: Error{ code: 'ECONNREFUSED' } }).
  let c: unknown = cause;
  for (let depth = 0; depth < 3 && c && typeof c === 'object'; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return ` (${code})`;
    c = (c as { cause?: unknown }).cause;
  }
  return '';
}

// ---- Guards: brand + name, so they hold across realms and duplicate installs. ----

function branded(value: unknown): value is ClientError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[CLIENT_ERROR_BRAND] === true
  );
}

function named<T>(names: readonly string[]) {
  return (value: unknown): value is T =>
    branded(value) && names.includes((value as { name: string }).name);
}

/** Any error thrown by faultline/client; `switch (error.code)` then narrows to the class. */
export const isFaultlineClientError: (value: unknown) => value is ClientError = branded;
/**
 * Any error raised after a response was received: a non-2xx answer ({@link ResponseError},
 * {@link ProblemError}), and a retry refused or a wait cut short after one (Retry-After too long,
 * budget spent, breaker open, deadline, one-shot body). Narrows to a type with `status`,
 * `headers`, `incident`, `problem` and `body` present; `error.code` tells which.
 */
export function isResponseError(value: unknown): value is ErrorWithResponse {
  return (
    branded(value) &&
    typeof (value as { status?: unknown }).status === 'number' &&
    typeof (value as { response?: unknown }).response === 'object'
  );
}
/** A non-2xx response carrying RFC 9457 problem details. */
export const isProblemError = named<ProblemError>(['ProblemError']);
export const isTimeoutError = named<TimeoutError>(['TimeoutError']);
export const isCircuitOpenError = named<CircuitOpenError>(['CircuitOpenError']);
export const isRetryBudgetExhaustedError = named<RetryBudgetExhaustedError>([
  'RetryBudgetExhaustedError',
]);
export const isBodyNotReplayableError = named<BodyNotReplayableError>(['BodyNotReplayableError']);
export const isRetryAfterTooLongError = named<RetryAfterTooLongError>(['RetryAfterTooLongError']);
export const isNetworkError = named<NetworkError>(['NetworkError']);
export const isInvalidClientOptionError = named<InvalidClientOptionError>([
  'InvalidClientOptionError',
]);
