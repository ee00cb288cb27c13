import Boom from '@hapi/boom';
import createError from 'http-errors';
import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import { copyMembers } from '../../src/core/extensions.js';
import { HttpError } from '../../src/core/http-error.js';
import { Renderer } from '../../src/core/render.js';

const CANARY = 'canary-51e0-secret';
const errors = [{ pointer: '#/email', detail: 'is already registered' }];

describe('extension members (RFC 9457 §3.2)', () => {
  it('carries an exposed http-errors error’s extra properties', () => {
    const f = toFault(createError(409, 'conflict', { errors }));
    expect(f.public).toMatchObject({ status: 409, detail: 'conflict', extensions: { errors } });
  });

  it('carries HttpError extensions for a 4xx, and for a 5xx only when marked public', () => {
    expect(
      toFault(new HttpError(409, 'taken', { extensions: { errors } })).public.extensions,
    ).toEqual({
      errors,
    });
    const hidden = toFault(new HttpError(503, 'down', { extensions: { retryAt: CANARY } }));
    expect(hidden.public.extensions).toBeUndefined();
    const marked = toFault(
      new HttpError(503, `down ${CANARY}`, { expose: true, extensions: { window: '10:00' } }),
    );
    expect(marked.public.extensions).toEqual({ window: '10:00' });
    expect(marked.public.detail).toBeUndefined(); // A 5xx message stays private even then.
  });

  it('never carries members of a 5xx http-errors error or an unexposed 4xx', () => {
    expect(toFault(createError(500, 'x', { errors })).public.extensions).toBeUndefined();
    expect(
      toFault(createError(400, 'x', { expose: false, errors })).public.extensions,
    ).toBeUndefined();
  });

  it('carries the extra members of a Boom payload for a 4xx, not Boom’s private data', () => {
    const boom = Boom.badRequest('bad input', { internal: CANARY });
    (boom.output.payload as unknown as Record<string, unknown>).errors = errors;
    const f = toFault(boom);
    expect(f.public).toMatchObject({ status: 400, detail: 'bad input', extensions: { errors } });
    expect(JSON.stringify(f.public)).not.toContain(CANARY);
    const five = Boom.badImplementation(CANARY);
    (five.output.payload as unknown as Record<string, unknown>).errors = errors;
    expect(toFault(five).public.extensions).toBeUndefined();
  });

  it('leaves out body-parser’s echo of the request body and its limits', () => {
    const parse = createError(400, 'Unexpected token', {
      body: `{"password":"${CANARY}"`,
      type: 'entity.parse.failed',
    });
    expect(toFault(parse).public.extensions).toBeUndefined();
  });

  it('never lets a member shadow a standard one, and drops names of secrets', () => {
    const e = createError(422, 'bad', {
      title: 'pwned',
      instance: 'x',
      incident: 'y',
      apiToken: CANARY,
      ok: 1,
    });
    expect(toFault(e).public.extensions).toEqual({ ok: 1 });
    expect(toFault(e).public.title).toBe('Unprocessable Content');
  });

  it('survives hostile members: cycles, BigInt, throwing getters, huge values', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const source = {
      cyclic,
      big: 10n,
      fn: () => 1,
      get boom() {
        throw new Error('getter');
      },
      huge: 'x'.repeat(100_000),
      fine: [1, 2],
    };
    expect(copyMembers(source)).toEqual({ fine: [1, 2] });
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(copyMembers(many) ?? {})).toHaveLength(32);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(copyMembers(revoked.proxy)).toBeUndefined();
  });

  it('renders members in problem+json only, beside the standard ones', () => {
    const f = toFault(createError(409, 'conflict', { errors }));
    const r = new Renderer();
    const json = JSON.parse(r.render(f.public, 'json').body);
    expect(json).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'conflict',
      code: 'conflict',
      errors,
    });
    // Two faults with different members never share a cached body.
    const other = toFault(createError(409, 'conflict', { errors: [] }));
    expect(JSON.parse(r.render(other.public, 'json').body).errors).toEqual([]);
    expect(r.render(f.public, 'text').body).toBe('409 Conflict\nconflict\n');
  });
});
