import { describe, expect, it } from 'vitest';
import {
  classifyBody,
  isRetryableStatus,
  mayRetryRequest,
  wantsIdempotencyKey,
} from '../../src/client/retry-policy.js';

describe('classifyBody', () => {
  it('treats strings, bytes, Blob, FormData and URLSearchParams as replayable', () => {
    for (const body of [
      'x',
      new Uint8Array(3),
      new ArrayBuffer(2),
      new Blob(['a']),
      new FormData(),
      new URLSearchParams('a=1'),
    ]) {
      expect(classifyBody(body)).toBe('static');
    }
  });

  it('treats a factory as replayable and streams as one-shot', () => {
    expect(classifyBody(() => 'x')).toBe('factory');
    expect(classifyBody(new ReadableStream())).toBe('one-shot');
    expect(
      classifyBody({
        async *[Symbol.asyncIterator]() {
          yield 'x';
        },
      }),
    ).toBe('one-shot');
    expect(classifyBody(undefined)).toBe('none');
    expect(classifyBody(null)).toBe('none');
  });
});

describe('mayRetryRequest', () => {
  const methods = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

  it('allows idempotent methods, case-insensitively', () => {
    expect(mayRetryRequest('get', new Headers(), methods, 'Idempotency-Key')).toBe(true);
    expect(mayRetryRequest('DELETE', new Headers(), methods, 'Idempotency-Key')).toBe(true);
  });

  it('refuses POST and PATCH unless they carry an Idempotency-Key', () => {
    expect(mayRetryRequest('POST', new Headers(), methods, 'Idempotency-Key')).toBe(false);
    expect(mayRetryRequest('PATCH', new Headers(), methods, 'Idempotency-Key')).toBe(false);
    const keyed = new Headers({ 'idempotency-key': 'k1' });
    expect(mayRetryRequest('POST', keyed, methods, 'Idempotency-Key')).toBe(true);
  });

  it('knows which methods get an automatic key and which statuses are retryable', () => {
    expect(wantsIdempotencyKey('post')).toBe(true);
    expect(wantsIdempotencyKey('GET')).toBe(false);
    expect(isRetryableStatus(503, [503])).toBe(true);
    expect(isRetryableStatus(501, [500, 502, 503])).toBe(false);
  });
});
