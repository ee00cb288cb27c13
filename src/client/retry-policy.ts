/**
 * What may be retried: which methods (RFC 9110 §9.2.2 idempotency, or an Idempotency-Key), which
 * outcomes, and whether the request body can be sent again.
 */

/**
 * A request body, as this runtime's `fetch` accepts it. Derived from `RequestInit` rather than
 * the DOM's `BodyInit`, so the types hold in a Node-only project without `lib: ["dom"]`.
 */
export type RequestBody = NonNullable<RequestInit['body']>;

/** A body produced afresh for each attempt: makes any body (even a stream) replayable. */
export type BodyFactory = () => RequestBody | null | Promise<RequestBody | null>;

/** How a request body behaves under retries. */
export type BodyReplay = 'none' | 'static' | 'factory' | 'one-shot';

/**
 * Classifies a request body. Strings, bytes, Blob, FormData and URLSearchParams can be sent again
 * as they are; a factory is called per attempt; a stream or async iterable is consumed by the first
 * attempt and must never be replayed (a retry would send an empty or truncated body).
 */
export function classifyBody(body: unknown): BodyReplay {
  if (body === undefined || body === null) return 'none';
  if (typeof body === 'function') return 'factory';
  if (typeof body === 'string') return 'static';
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return 'static';
  if (typeof SharedArrayBuffer !== 'undefined' && body instanceof SharedArrayBuffer)
    return 'static';
  if (typeof Blob !== 'undefined' && body instanceof Blob) return 'static';
  if (typeof FormData !== 'undefined' && body instanceof FormData) return 'static';
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return 'static';
  // ReadableStream, Node streams, async iterables and anything unknown: assume one-shot.
  return 'one-shot';
}

/** True when a method is listed as retryable (case-insensitive, as methods are normalised). */
export function isRetryableMethod(method: string, methods: readonly string[]): boolean {
  const m = method.toUpperCase();
  return methods.some((x) => x.toUpperCase() === m);
}

/** Methods that get an automatic Idempotency-Key when `autoIdempotencyKey` is on. */
export function wantsIdempotencyKey(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'POST' || m === 'PATCH';
}

/**
 * Whether a request may be retried at all: its method is retryable, or it carries an
 * Idempotency-Key (draft-ietf-httpapi-idempotency-key-header), so the server can deduplicate.
 */
export function mayRetryRequest(
  method: string,
  headers: Headers,
  methods: readonly string[],
  idempotencyKeyHeader: string,
): boolean {
  return isRetryableMethod(method, methods) || headers.has(idempotencyKeyHeader);
}

/** Whether a response status is worth another attempt. */
export function isRetryableStatus(status: number, statusCodes: readonly number[]): boolean {
  return statusCodes.includes(status);
}
