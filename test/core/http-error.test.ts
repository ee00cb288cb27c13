import { describe, expect, it } from 'vitest';
import { isFaultlineError } from '../../src/core/errors.js';
import { HttpError, httpErrors, isHttpError } from '../../src/core/http-error.js';

describe('HttpError', () => {
  it('defaults expose to status < 500 and derives code and title message', () => {
    const e = new HttpError(404);
    expect(e).toMatchObject({
      status: 404,
      statusCode: 404,
      expose: true,
      code: 'not_found',
      message: 'Not Found',
      name: 'HttpError',
    });
    expect(new HttpError(500, 'x').expose).toBe(false);
    expect(httpErrors.serviceUnavailable('m', { headers: { 'Retry-After': 5 } }).headers).toEqual({
      'retry-after': '5',
    });
  });

  it('keeps the cause and is recognized across copies by its brand', () => {
    const cause = new Error('root');
    const e = new HttpError(502, 'upstream', { cause });
    expect(e.cause).toBe(cause);
    expect(isHttpError(e)).toBe(true);
    expect(isHttpError({ [Symbol.for('faultline.http-error')]: true })).toBe(true);
    expect(isHttpError(new Error('x'))).toBe(false);
  });

  it('rejects statuses outside 400–599 with a stable code', () => {
    for (const s of [200, 399, 600, 404.5]) {
      let caught: unknown;
      try {
        new HttpError(s);
      } catch (err) {
        caught = err;
      }
      expect(isFaultlineError(caught)).toBe(true);
      expect((caught as { code: string }).code).toBe('FAULTLINE_INVALID_HTTP_ERROR');
    }
  });
});
