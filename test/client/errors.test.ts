import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  CLIENT_ERROR_CODES,
  FaultlineClientError,
  isCircuitOpenError,
  isFaultlineClientError,
  isNetworkError,
  isProblemError,
  isResponseError,
  isTimeoutError,
  NetworkError,
  ResponseError,
  RetryAfterTooLongError,
  TimeoutError,
} from '../../src/client/index.js';

const request = { method: 'GET', url: 'http://x/y' };

describe('client errors', () => {
  it('carry a name literal, a stable code and the shared brand', () => {
    const e = new TimeoutError(request, 'attempt', 50);
    expect(e).toBeInstanceOf(FaultlineClientError);
    expect(e.name).toBe('TimeoutError');
    expect(e.code).toBe('FAULTLINE_TIMEOUT');
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('faultline.client.error')]).toBe(
      true,
    );
    expect(isTimeoutError(e)).toBe(true);
    expect(isNetworkError(e)).toBe(false);
    expect(isResponseError(e)).toBe(false);
  });

  it('guards recognise errors from another realm or copy (brand + name, not instanceof)', () => {
    const foreign = runInNewContext(`
      const e = new Error('open');
      e.name = 'CircuitOpenError';
      e.code = 'FAULTLINE_CIRCUIT_OPEN';
      Object.defineProperty(e, Symbol.for('faultline.client.error'), { value: true });
      e;
    `) as unknown;
    expect(foreign instanceof CircuitOpenError).toBe(false);
    expect(isCircuitOpenError(foreign)).toBe(true);
    expect(isFaultlineClientError(foreign)).toBe(true);
    expect(isProblemError(foreign)).toBe(false);
    // Look-alikes without the brand are not ours.
    const fake = Object.assign(new Error('x'), { name: 'CircuitOpenError' });
    expect(isCircuitOpenError(fake)).toBe(false);
    expect(isFaultlineClientError(null)).toBe(false);
    expect(isFaultlineClientError('CircuitOpenError')).toBe(false);
  });

  it('keep the cause and describe it without leaking the query string', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error(), { code: 'ECONNRESET' }),
    });
    const e = new NetworkError({ method: 'GET', url: 'http://x/y' }, { cause });
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('GET http://x/y: network error (ECONNRESET)');
    const response = new Response('slow down', {
      status: 429,
      headers: { 'faultline-incident': 'i9' },
    });
    const last = new ResponseError({
      request,
      response,
      body: 'slow down',
      bodyTruncated: false,
      incident: 'i9',
      retryAt: new Date(0),
    });
    const r = new RetryAfterTooLongError(last, new Date(0), 3_600_000, 10_000);
    expect(r.retryAt.getTime()).toBe(0);
    expect(r.message).toContain('3600000 ms');
    expect(r.message).toContain('answered 429 (incident i9)');
    expect([r.status, r.incident, r.body, r.cause]).toEqual([429, 'i9', 'slow down', last]);
  });

  it('every error code is documented in docs/client.md, and every documented code exists', () => {
    const docs = readFileSync(new URL('../../docs/client.md', import.meta.url), 'utf8');
    for (const code of Object.keys(CLIENT_ERROR_CODES)) expect(docs).toContain(`\`${code}\``);
    const documented = new Set(docs.match(/FAULTLINE_[A-Z_]+/g));
    expect([...documented].sort()).toEqual(Object.keys(CLIENT_ERROR_CODES).sort());
  });
});
