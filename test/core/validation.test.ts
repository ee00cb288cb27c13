import Fastify from 'fastify';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFault } from '../../src/core/classify.js';

const schema = z.object({ email: z.email(), tags: z.array(z.string()), 'a/b~c': z.number() });

describe('validation errors -> 400 with an errors array of JSON Pointers', () => {
  it('recognizes a ZodError by shape', () => {
    const r = schema.safeParse({ email: 'nope', tags: ['ok', 1] });
    const f = toFault(r.error);
    expect(f.public).toMatchObject({
      status: 400,
      code: 'bad_request',
      detail: '3 values are not valid.',
    });
    expect(f.public.extensions).toEqual({
      errors: [
        { pointer: '#/email', detail: 'Invalid email address' },
        { pointer: '#/tags/1', detail: expect.stringContaining('expected string') },
        // RFC 6901: '/' -> '~1', '~' -> '~0'.
        { pointer: '#/a~1b~0c', detail: expect.stringContaining('expected number') },
      ],
    });
    expect(f.public.incident).toBeUndefined();
  });

  it('recognizes a valibot ValiError by shape', () => {
    const s = v.object({ items: v.array(v.object({ sku: v.pipe(v.string(), v.minLength(3)) })) });
    const r = v.safeParse(s, { items: [{ sku: 'abcd' }, { sku: 'a' }] });
    expect(r.success).toBe(false);
    const f = toFault(new v.ValiError(r.issues as never));
    expect(f.public).toMatchObject({ status: 400, detail: 'One value is not valid.' });
    expect(f.public.extensions).toEqual({
      errors: [{ pointer: '#/items/1/sku', detail: expect.stringContaining('Invalid length') }],
    });
  });

  it('takes Fastify’s ajv errors with the missing member in the pointer', async () => {
    const app = Fastify({ logger: false });
    let caught: unknown;
    app.setErrorHandler((err, _req, reply) => {
      caught = err;
      return reply.code(400).send();
    });
    app.post(
      '/signup',
      {
        schema: {
          body: {
            type: 'object',
            required: ['email'],
            properties: { email: { type: 'string' } },
          },
          querystring: { type: 'object', properties: { page: { type: 'integer' } } },
        },
      },
      async () => 'ok',
    );
    await app.inject({ method: 'POST', url: '/signup', payload: {} });
    expect(toFault(caught).public).toMatchObject({
      status: 400,
      detail: "body must have required property 'email'",
      extensions: {
        errors: [{ pointer: '#/email', detail: "must have required property 'email'" }],
      },
    });
    await app.inject({ method: 'POST', url: '/signup?page=x', payload: { email: 'a' } });
    expect(toFault(caught).public.extensions).toEqual({
      errors: [{ pointer: '#/page', detail: 'must be integer', in: 'querystring' }],
    });
    await app.close();
  });

  it('ignores look-alikes and hostile issue lists', () => {
    expect(toFault(Object.assign(new Error('x'), { name: 'ZodError' })).public.status).toBe(500);
    const hostile = Object.assign(new Error('x'), {
      name: 'ZodError',
      issues: [
        null,
        {
          get path() {
            throw new Error('trap');
          },
          message: 7,
        },
      ],
    });
    expect(toFault(hostile).public.extensions).toEqual({
      errors: [
        { pointer: '#', detail: 'is not valid' },
        { pointer: '#', detail: 'is not valid' },
      ],
    });
    const long = Object.assign(new Error('x'), {
      name: 'ValiError',
      issues: Array.from({ length: 1000 }, () => ({ message: 'm', path: [{ key: 'k' }] })),
    });
    expect(toFault(long).public.extensions?.errors).toHaveLength(100);
  });
});
