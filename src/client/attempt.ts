/**
 * One attempt on the wire: fresh headers with the attempt number, the body for this attempt, a
 * signal bounded by the per-attempt timeout and the deadline; failures classified, never thrown
 * (except the caller's abort, which is re-thrown as fetch would).
 */
import { type LinkedSignal, linkSignal } from './deadline.js';
import { NetworkError, TimeoutError } from './errors.js';
import type { ResolvedClientOptions } from './options.js';
import type { Plan } from './request-plan.js';

function isStreamLike(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (typeof (body as ReadableStream).getReader === 'function' ||
      Symbol.asyncIterator in (body as object))
  );
}

/** What an attempt produced: a response (any status) or a classified failure. */
export type Outcome =
  | { readonly kind: 'response'; readonly response: Response }
  | { readonly kind: 'error'; readonly error: Error; readonly retryable: boolean };

/** Sends one attempt. */
export async function attemptOnce(
  opts: ResolvedClientOptions,
  p: Plan,
  attempt: number,
  requestSignal: AbortSignal,
): Promise<{ outcome: Outcome; signal: LinkedSignal }> {
  // A factory is called per attempt, before any timer starts; its errors are the caller's.
  const body = typeof p.body === 'function' ? await p.body() : p.body;
  const headers = new Headers(p.headers);
  const { beforeRequest } = opts.hooks;
  if (beforeRequest) {
    // The caller's code, like a body factory: what it throws rejects the request.
    await beforeRequest({
      url: typeof p.input === 'string' ? p.input : p.input.url,
      method: p.method,
      headers,
      attempt,
      signal: requestSignal,
    });
    // A hook may add auth, not change what makes a retry safe: the request's own key stays.
    const keyHeader = opts.retry.idempotencyKeyHeader;
    if (p.idempotencyKey !== null) headers.set(keyHeader, p.idempotencyKey);
  }
  if (opts.attemptHeader) headers.set(opts.attemptHeader, String(attempt));
  const remaining = p.deadlineAt - Date.now();
  const attemptMs = Math.min(p.timeout === false ? Number.POSITIVE_INFINITY : p.timeout, remaining);
  const byDeadline = p.timeout === false || remaining < p.timeout;
  const signal = linkSignal(
    [requestSignal],
    Number.isFinite(attemptMs) ? attemptMs : undefined,
    () =>
      byDeadline
        ? new TimeoutError(p.summary, 'deadline', p.deadline === false ? attemptMs : p.deadline)
        : new TimeoutError(p.summary, 'attempt', attemptMs),
  );
  const init: RequestInit & { duplex?: 'half' } = {
    ...p.init,
    method: p.method,
    headers,
    signal: signal.signal,
  };
  if (p.bodyReplay !== 'none') {
    init.body = body ?? null;
    if (isStreamLike(body)) init.duplex = 'half';
  }
  try {
    const response = await opts.fetch(p.input, init);
    return { outcome: { kind: 'response', response }, signal };
  } catch (cause) {
    if (p.callerSignal?.aborted) throw p.callerSignal.reason;
    const reason: unknown = signal.signal.aborted ? signal.signal.reason : undefined;
    if (reason instanceof TimeoutError) {
      return {
        outcome: { kind: 'error', error: reason, retryable: reason.scope === 'attempt' },
        signal,
      };
    }
    return {
      outcome: { kind: 'error', error: new NetworkError(p.summary, { cause }), retryable: true },
      signal,
    };
  }
}
