/**
 * What is fixed for one logical request before its first attempt: method, merged headers (with
 * the Idempotency-Key, if any), body replayability, retry limit, timeout and absolute deadline.
 */
import { InvalidClientOptionError, type RequestSummary, redactUrl } from './errors.js';
import type {
  FaultlineRequestInit,
  FetchInput,
  RequestBody,
  ResolvedClientOptions,
  SearchParamsInit,
} from './options.js';
import type { BodyFactory } from './retry-policy.js';
import {
  type BodyReplay,
  classifyBody,
  mayRetryRequest,
  wantsIdempotencyKey,
} from './retry-policy.js';

/** The origin a URL belongs to (budgets and breakers are per origin). */
export function originOf(url: string): string {
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    return new URL(url, base).origin;
  } catch {
    return url;
  }
}

function randomKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Everything fixed for one logical request. */
export interface Plan {
  /** What is passed to fetch: the URL (prefix and search params applied) or the caller's Request. */
  readonly input: string | Request;
  /** The caller's init without faultline's own keys: passed to fetch as it is. */
  readonly init: RequestInit;
  /** The body (a JSON body already serialised), or a factory. */
  readonly body: RequestBody | BodyFactory | null | undefined;
  /** The request's own Idempotency-Key, restored after `beforeRequest` on every attempt. */
  readonly idempotencyKey: string | null;
  readonly summary: RequestSummary;
  readonly origin: string;
  readonly method: string;
  readonly headers: Headers;
  readonly bodyReplay: BodyReplay;
  readonly limit: number;
  readonly mayRetry: boolean;
  readonly timeout: number | false;
  readonly deadline: number | false;
  readonly deadlineAt: number;
  readonly callerSignal: AbortSignal | undefined;
}

function withSearchParams(url: string, params: SearchParamsInit): string {
  let search: URLSearchParams;
  if (typeof params === 'string' || params instanceof URLSearchParams || Array.isArray(params)) {
    search = new URLSearchParams(params as string | URLSearchParams | string[][]);
  } else {
    search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined) search.append(key, String(value));
    }
  }
  const u = new URL(url);
  u.search = search.toString();
  return u.href;
}

function resolveUrl(opts: ResolvedClientOptions, input: string | URL): string {
  if (typeof input !== 'string' || opts.prefixUrl === undefined) return String(input);
  if (input.startsWith('/')) {
    throw new InvalidClientOptionError(
      'input',
      input,
      `drop the leading "/" (it would be joined to prefixUrl ${opts.prefixUrl}), or pass a URL object`,
      'starts with "/" while prefixUrl is set',
    );
  }
  return opts.prefixUrl + input;
}

/** Resolves one logical request; throws InvalidClientOptionError for bad per-request options. */
export function plan(
  opts: ResolvedClientOptions,
  rawInput: FetchInput,
  rawInit: FaultlineRequestInit,
): Plan {
  const {
    body: rawBody,
    json,
    searchParams,
    timeout: _t,
    deadline: _d,
    retryLimit: _r,
    idempotencyKey,
    ...init
  } = rawInit;
  const isRequest = typeof Request !== 'undefined' && rawInput instanceof Request;
  let input: string | Request = isRequest ? rawInput : resolveUrl(opts, rawInput as string | URL);
  if (searchParams !== undefined) {
    const url = withSearchParams(
      isRequest ? (rawInput as Request).url : (input as string),
      searchParams,
    );
    input = isRequest ? new Request(url, rawInput as Request) : url;
  }
  const url = typeof input === 'string' ? input : input.url;
  const method = (init.method ?? (isRequest ? (rawInput as Request).method : 'GET')).toUpperCase();
  const headers = new Headers(isRequest ? (rawInput as Request).headers : undefined);
  new Headers(init.headers).forEach((value, key) => {
    headers.set(key, value);
  });
  let body: RequestBody | BodyFactory | null | undefined = rawBody;
  if (json !== undefined) {
    if (rawBody !== undefined) {
      throw new InvalidClientOptionError(
        'json',
        json,
        'pass either `json` or `body`, not both',
        'is given together with `body`',
      );
    }
    body = JSON.stringify(json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const keyHeader = opts.retry.idempotencyKeyHeader;
  if (typeof idempotencyKey === 'string') headers.set(keyHeader, idempotencyKey);
  else if (
    !headers.has(keyHeader) &&
    (idempotencyKey === true ||
      (idempotencyKey === undefined &&
        opts.retry.autoIdempotencyKey &&
        wantsIdempotencyKey(method)))
  ) {
    // One key per logical request, the same on every attempt, so the server can deduplicate.
    headers.set(keyHeader, randomKey());
  }
  const requestHasBody = isRequest && (rawInput as Request).body !== null && body === undefined;
  const bodyReplay = requestHasBody ? 'one-shot' : classifyBody(body);
  const limit = rawInit.retryLimit ?? opts.retry.limit;
  if (!Number.isInteger(limit) || limit < 0 || limit > 10) {
    throw new InvalidClientOptionError('retryLimit', limit, 'Use an integer from 0 to 10.');
  }
  const timeout = rawInit.timeout ?? opts.timeout;
  const deadline = rawInit.deadline ?? opts.deadline;
  for (const [key, value] of [
    ['timeout', timeout],
    ['deadline', deadline],
  ] as const) {
    if (value !== false && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new InvalidClientOptionError(key, value, 'Use a number of ms > 0, or false.');
    }
  }
  const summary = { method, url: redactUrl(url) };
  return {
    input,
    init,
    body,
    idempotencyKey: headers.get(keyHeader),
    summary,
    origin: originOf(url),
    method,
    headers,
    bodyReplay,
    limit,
    mayRetry: mayRetryRequest(method, headers, opts.retry.methods, keyHeader),
    timeout,
    deadline,
    deadlineAt: deadline === false ? Number.POSITIVE_INFINITY : Date.now() + deadline,
    callerSignal: init.signal ?? (isRequest ? (rawInput as Request).signal : undefined),
  };
}
