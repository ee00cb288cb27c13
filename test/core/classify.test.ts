import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import { HttpError, httpErrors } from '../../src/core/http-error.js';

const CANARY = 'canary-7f3a9c-secret';

describe('toFault', () => {
  it('treats an unknown Error as a 500 with a private message', () => {
    const f = toFault(new Error(`db password ${CANARY}`));
    expect(f.public.status).toBe(500);
    expect(f.public.code).toBe('internal_error');
    expect(f.public.detail).toBeUndefined();
    expect(f.public.incident).toMatch(/^[0-9A-Z]{26}$/);
    expect(f.private.message).toContain(CANARY);
    expect(f.private.stack).toContain('classify.test');
    expect(f.phase).toBe('handler');
  });

  it('exposes a 4xx HttpError message and keeps a 5xx one private', () => {
    expect(toFault(new HttpError(422, 'email is invalid')).public.detail).toBe('email is invalid');
    const five = toFault(new HttpError(503, CANARY, { headers: { 'Retry-After': 30 } }));
    expect(five.public.detail).toBeUndefined();
    expect(five.public.headers).toEqual([['retry-after', '30']]);
    expect(toFault(new HttpError(400, CANARY, { expose: false })).public.detail).toBeUndefined();
  });

  it('recognizes http-errors / body-parser shapes and respects expose', () => {
    const bodyParser = Object.assign(new Error('request entity too large'), {
      status: 413,
      statusCode: 413,
      expose: true,
      type: 'entity.too.large',
    });
    expect(toFault(bodyParser).public).toMatchObject({
      status: 413,
      detail: 'request entity too large',
    });
    const hidden = Object.assign(new Error(CANARY), { status: 400, expose: false });
    expect(toFault(hidden).public).toMatchObject({ status: 400, detail: undefined });
    const noExpose = Object.assign(new Error(CANARY), { statusCode: 404 });
    expect(toFault(noExpose).public).toMatchObject({ status: 404, detail: undefined });
    const exposed5xx = Object.assign(new Error(CANARY), { status: 502, expose: true });
    expect(toFault(exposed5xx).public).toMatchObject({ status: 502, detail: undefined });
  });

  it('recognizes Boom, Fastify and Hono errors', () => {
    const boom = Object.assign(new Error('bad'), {
      isBoom: true,
      output: {
        statusCode: 429,
        payload: { message: 'slow down' },
        headers: { 'Retry-After': '5' },
      },
    });
    expect(toFault(boom).public).toMatchObject({
      status: 429,
      detail: 'slow down',
      headers: [['retry-after', '5']],
    });
    const fst = Object.assign(new Error('Unsupported Media Type: application/xml'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    });
    expect(toFault(fst).public).toMatchObject({
      status: 415,
      detail: 'Unsupported Media Type: application/xml',
    });
    const validation = Object.assign(new Error('body/name must be string'), {
      statusCode: 400,
      validation: [],
    });
    expect(toFault(validation).public.detail).toBe('body/name must be string');
    // Shaped like Hono's: name stays 'Error', status and getResponse() are its marks.
    class HTTPException extends Error {
      status = 401;
      getResponse(): Response {
        return new Response(null, { status: this.status });
      }
    }
    expect(toFault(new HTTPException('token expired')).public).toMatchObject({
      status: 401,
      detail: 'token expired',
    });
  });

  it('maps timeouts to 504 and aborts by a gone client to 499', () => {
    expect(toFault(new DOMException('timed out', 'TimeoutError')).public.status).toBe(504);
    const abort = new DOMException('aborted', 'AbortError');
    expect(toFault(abort).public.status).toBe(500);
    expect(toFault(abort, { clientClosed: true }).public).toMatchObject({
      status: 499,
      incident: undefined,
    });
  });

  it('clamps statuses outside 400–599 to 500', () => {
    for (const status of [200, 302, 399, 600, 1000, -1, 404.5, Number.NaN]) {
      expect(toFault({ status, expose: true, message: 'x' }).public.status).toBe(500);
    }
  });

  it('drops detail equal to the title and takes HttpError helpers codes', () => {
    expect(toFault(httpErrors.notFound()).public).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: undefined,
    });
    expect(toFault(new HttpError(409, 'taken', { code: 'user.exists' })).public.code).toBe(
      'user.exists',
    );
  });

  it('survives hostile values', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwingGetters = Object.create(Error.prototype, {
      message: {
        get: () => {
          throw new Error('no');
        },
      },
      stack: {
        get: () => {
          throw new Error('no');
        },
      },
      status: {
        get: () => {
          throw new Error('no');
        },
      },
      name: {
        get: () => {
          throw new Error('no');
        },
      },
    });
    const trapAll = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        getPrototypeOf: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const circular: Record<string, unknown> = { message: 'loop' };
    circular.self = circular;
    const causeLoop = new Error('a');
    const b = new Error('b', { cause: causeLoop });
    Object.defineProperty(causeLoop, 'cause', { value: b });
    const badToString = {
      toString() {
        throw new Error('no');
      },
      toJSON() {
        throw new Error('no');
      },
    };
    const values: unknown[] = [
      null,
      undefined,
      0,
      42n,
      Symbol('s'),
      'a string',
      () => 1,
      proxy,
      throwingGetters,
      trapAll,
      circular,
      causeLoop,
      badToString,
      new AggregateError([new Error('m1'), 'm2'], 'many'),
      Object.create(null),
    ];
    for (const v of values) {
      const f = toFault(v);
      expect(f.public.status).toBe(500);
      expect(typeof f.private.message).toBe('string');
    }
    expect(toFault(causeLoop).private.causes.map((c) => c.message)).toEqual(['b']);
    expect(
      toFault(new AggregateError([new Error('m1'), 'm2'], 'many')).private.causes.map(
        (c) => c.message,
      ),
    ).toEqual(['m1', 'm2']);
  });

  it('bounds a 10 MB message quickly', () => {
    const big = new Error('x'.repeat(10 * 1024 * 1024));
    const f = toFault(big);
    expect(f.private.message.length).toBeLessThan(9000);
    expect(f.private.message).toMatch(/more chars\]$/);
  });

  it('property: never throws, always a valid status, never leaks a 5xx message', () => {
    const thrown = fc.oneof(
      fc.anything(),
      fc.string().map((m) => new Error(`${m}${CANARY}`)),
      fc.record({
        status: fc.integer(),
        statusCode: fc.integer(),
        expose: fc.boolean(),
        message: fc.constant(CANARY),
      }),
      fc.record({ isBoom: fc.boolean(), output: fc.anything() }),
    );
    fc.assert(
      fc.property(thrown, (v) => {
        const f = toFault(v);
        expect(Number.isInteger(f.public.status)).toBe(true);
        expect(f.public.status >= 400 && f.public.status <= 599).toBe(true);
        if (f.public.status >= 500) {
          expect(f.public.detail).toBeUndefined();
          expect(f.public.incident).toBeDefined();
        }
        expect(JSON.stringify(f.public).includes(CANARY)).toBe(
          f.public.detail?.includes(CANARY) === true,
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('toFault: hostile statuses, headers and sizes', () => {
  const BRAND = Symbol.for('faultline.http-error');

  it('re-checks the status of a mutated HttpError and of a forged brand', () => {
    for (const status of [200, 204, 302, 101, 99, 1e10, 600, 404.5, Number.NaN, '404']) {
      const mutated = httpErrors.badRequest(`x ${CANARY}`);
      (mutated as { status: unknown }).status = status;
      const forged = { [BRAND]: true, status, expose: true, message: CANARY };
      for (const thrown of [mutated, forged]) {
        const f = toFault(thrown);
        expect(f.public.status).toBe(500);
        expect(f.public.incident).toMatch(/^[0-9A-Z]{26}$/);
        expect(JSON.stringify(f.public)).not.toContain(CANARY);
      }
    }
    // A forged brand with a valid status is an error like any other: exposed only below 500.
    const forged = { [BRAND]: true, status: 418, expose: true, message: 'short and stout' };
    expect(toFault(forged).public).toMatchObject({ status: 418, detail: 'short and stout' });
    const trap = new Proxy(
      { [BRAND]: true },
      {
        get: (_t, k) => {
          if (k === BRAND) return true;
          throw new Error(CANARY);
        },
      },
    );
    expect(toFault(trap).public.status).toBe(500);
  });

  it('keeps public header values that are RFC 9110 field values and drops the others', () => {
    const cases: Array<[Record<string, unknown>, Array<[string, string]>, string[] | undefined]> = [
      [{ 'Retry-After': '€' }, [], ['retry-after']],
      [
        { 'WWW-Authenticate': 'Basic realm="日本"', Allow: 'GET' },
        [['allow', 'GET']],
        ['www-authenticate'],
      ],
      [{ 'retry-after': '1\r\nSet-Cookie: a=b' }, [], ['retry-after']],
      [{ 'retry-after': '1\u0000' }, [], ['retry-after']],
      [{ 'retry-after': { toString: () => '1' } }, [], ['retry-after']],
      [{ 'retry-after': '  120\t' }, [['retry-after', '120']], undefined],
      [
        { 'www-authenticate': 'Basic realm="caf\u00e9"' },
        [['www-authenticate', 'Basic realm="caf\u00e9"']],
        undefined,
      ],
      [{ 'retry-after': 30 }, [['retry-after', '30']], undefined],
    ];
    for (const [headers, kept, dropped] of cases) {
      const f = toFault({ status: 503, headers });
      expect(f.public.status).toBe(503);
      expect(f.public.headers).toEqual(kept);
      expect(f.private.droppedHeaders).toEqual(dropped);
    }
    const e = new HttpError(503, 'x', { headers: { 'Retry-After': '€', Allow: 'GET' } });
    expect(toFault(e).public.headers).toEqual([['allow', 'GET']]);
    expect(toFault(e).private.droppedHeaders).toEqual(['retry-after']);
  });

  it('bounds the work by the output: a 200,000-key object is not serialized', () => {
    const big: Record<string, unknown> = { reason: `r ${CANARY}` };
    for (let i = 0; i < 200_000; i++) big[`k${i}`] = i;
    const headers: Record<string, unknown> = { 'retry-after': '5' };
    for (let i = 0; i < 200_000; i++) headers[`h${i}`] = i;
    const array = new Array(1_000_000).fill('item');
    // Keys are read by name, never listed: ownKeys on a proxy would show it.
    let listed = 0;
    const spy = new Proxy(big, {
      ownKeys(t) {
        listed++;
        return Reflect.ownKeys(t);
      },
    });
    const f = toFault(spy);
    expect(listed).toBe(0);
    expect(f.private.message).toBe(`{"reason":"r ${CANARY}"}`);
    expect(toFault({ status: 503, headers }).public.headers).toEqual([['retry-after', '5']]);
    const a = toFault(array).private.message;
    expect(a.length).toBeLessThan(200);
    expect(a).toContain('…999990 more');
  });
});
