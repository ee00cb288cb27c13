/**
 * What is fixed for one logical request before its first attempt: method, merged headers (with
 * the Idempotency-Key, if any), body replayability, retry limit, timeout and absolute deadline.
 */
import { InvalidClientOptionError, type RequestSummary, redactUrl } from './errors.js';
import type { FaultlineRequestInit, ResolvedClientOptions } from './options.js';
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
  readonly input: RequestInfo | URL;
  readonly init: FaultlineRequestInit;
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

/** Resolves one logical request; throws InvalidClientOptionError for bad per-request options. */
export function plan(
  opts: ResolvedClientOptions,
  input: RequestInfo | URL,
  init: FaultlineRequestInit,
): Plan {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const url = isRequest ? input.url : String(input);
  const method = (init.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const headers = new Headers(isRequest ? input.headers : undefined);
  new Headers(init.headers).forEach((value, key) => {
    headers.set(key, value);
  });
  const keyHeader = opts.retry.idempotencyKeyHeader;
  const { idempotencyKey } = init;
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
  const requestHasBody = isRequest && input.body !== null && !('body' in init);
  const bodyReplay = requestHasBody ? 'one-shot' : classifyBody(init.body);
  const limit = init.retryLimit ?? opts.retry.limit;
  if (!Number.isInteger(limit) || limit < 0 || limit > 10) {
    throw new InvalidClientOptionError('retryLimit', limit, 'Use an integer from 0 to 10.');
  }
  const timeout = init.timeout ?? opts.timeout;
  const deadline = init.deadline ?? opts.deadline;
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
    callerSignal: init.signal ?? (isRequest ? input.signal : undefined),
  };
}
