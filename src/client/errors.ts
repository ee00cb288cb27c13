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
    'The circuit breaker for this origin is open; nothing was sent (CircuitOpenError).',
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
export class ResponseError extends FaultlineClientError {
  override name: 'ResponseError' | 'ProblemError' = 'ResponseError';
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The response; its body has been consumed into {@link ResponseError.body}. */
  readonly response: Response;
  readonly request: RequestSummary;
  /** Incident id from the `Faultline-Incident` header (or the problem's `incident` member). */
  readonly incident: string | undefined;
  /** The body as text, read once and bounded by `maxErrorBodyBytes`. */
  readonly body: string;
  readonly bodyTruncated: boolean;
  /** When the server asked to be retried (`Retry-After`), if it did. */
  readonly retryAt: Date | undefined;

  constructor(init: ResponseErrorInit, options?: ErrorOptions) {
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
  }
}

/** A non-2xx response whose body is RFC 9457 problem details (`application/problem+json`). */
export class ProblemError extends ResponseError {
  override name = 'ProblemError' as const;
  readonly problem: ProblemDetails;
  /** The problem's `type` (RFC 9457 §3.1.1: absent means `about:blank`). */
  readonly type: string;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly instance: string | undefined;

  constructor(init: ResponseErrorInit, problem: ProblemDetails, options?: ErrorOptions) {
    super(init, options);
    this.problem = problem;
    this.type = typeof problem.type === 'string' ? problem.type : 'about:blank';
    this.title = typeof problem.title === 'string' ? problem.title : undefined;
    this.detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    this.instance = typeof problem.instance === 'string' ? problem.instance : undefined;
  }
}

/** An attempt took longer than `timeout`, or the request as a whole passed its `deadline`. */
export class TimeoutError extends FaultlineClientError {
  override name = 'TimeoutError' as const;
  /** `attempt`: one attempt hit `timeout` (retryable); `deadline`: the total budget is spent. */
  readonly scope: 'attempt' | 'deadline';
  readonly timeoutMs: number;
  readonly request: RequestSummary;

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
        : `${request.method} ${request.url}: deadline of ${timeoutMs} ms passed`,
      options,
    );
    this.scope = scope;
    this.timeoutMs = timeoutMs;
    this.request = request;
  }
}

/** The breaker for the origin is open: the request was not sent. */
export class CircuitOpenError extends FaultlineClientError {
  override name = 'CircuitOpenError' as const;
  readonly origin: string;
  /** Earliest time the breaker lets a probe through. */
  readonly retryAt: Date;

  constructor(origin: string, retryAt: Date, options?: ErrorOptions) {
    super(
      'FAULTLINE_CIRCUIT_OPEN',
      `circuit open for ${origin}: too many recent failures; next probe after ${retryAt.toISOString()}`,
      options,
    );
    this.origin = origin;
    this.retryAt = retryAt;
  }
}

/** A retry was warranted but the origin's retry budget is spent; `cause` is the last failure. */
export class RetryBudgetExhaustedError extends FaultlineClientError {
  override name = 'RetryBudgetExhaustedError' as const;
  readonly origin: string;

  constructor(origin: string, options?: ErrorOptions) {
    super(
      'FAULTLINE_RETRY_BUDGET_EXHAUSTED',
      `retry budget for ${origin} is spent: not retrying (see cause for the failure)`,
      options,
    );
    this.origin = origin;
  }
}

/** A retry was warranted but the body is a one-shot stream; `cause` is the failure. */
export class BodyNotReplayableError extends FaultlineClientError {
  override name = 'BodyNotReplayableError' as const;
  readonly request: RequestSummary;

  constructor(request: RequestSummary, options?: ErrorOptions) {
    super(
      'FAULTLINE_BODY_NOT_REPLAYABLE',
      `${request.method} ${request.url}: cannot retry, the request body is a one-shot stream; ` +
        'pass a string, bytes, Blob, FormData or a body factory `() => body` to make it replayable',
      options,
    );
    this.request = request;
  }
}

/** The server's `Retry-After` is above `maxRetryAfter` or past the deadline: given up at once. */
export class RetryAfterTooLongError extends FaultlineClientError {
  override name = 'RetryAfterTooLongError' as const;
  /** When the server said it may be retried. */
  readonly retryAt: Date;
  /** The wait asked for, in ms. */
  readonly retryAfterMs: number;
  /** The longest wait that was acceptable (the lower of `maxRetryAfter` and the deadline), in ms. */
  readonly limitMs: number;

  constructor(retryAt: Date, retryAfterMs: number, limitMs: number, options?: ErrorOptions) {
    super(
      'FAULTLINE_RETRY_AFTER_TOO_LONG',
      `server asked to retry after ${Math.round(retryAfterMs)} ms (at ${retryAt.toISOString()}), ` +
        `more than the ${Math.round(limitMs)} ms this request may wait; not waiting`,
      options,
    );
    this.retryAt = retryAt;
    this.retryAfterMs = retryAfterMs;
    this.limitMs = limitMs;
  }
}

/** No HTTP response at all (refused, reset, DNS…); `cause` is what fetch threw. */
export class NetworkError extends FaultlineClientError {
  override name = 'NetworkError' as const;
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

/** `createClient` was given an option it cannot use; the message names the key, value and fix. */
export class InvalidClientOptionError extends FaultlineClientError {
  override name = 'InvalidClientOptionError' as const;
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, fix: string) {
    super(
      'FAULTLINE_INVALID_CLIENT_OPTION',
      `faultline/client: invalid option \`${option}\`: ${formatValue(value)}. ${fix}`,
    );
    this.option = option;
    this.value = value;
  }
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

function branded(value: unknown): value is FaultlineClientError {
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

/** Any error thrown by faultline/client. */
export const isFaultlineClientError = branded;
/** A non-2xx response (including {@link ProblemError}). */
export const isResponseError = named<ResponseError>(['ResponseError', 'ProblemError']);
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
