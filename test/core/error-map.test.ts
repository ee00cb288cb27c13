import createError from 'http-errors';
import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import { compileMap } from '../../src/core/error-map.js';
import { HttpError } from '../../src/core/http-error.js';
import { Faultline } from '../../src/core/pipeline.js';

const CANARY = 'canary-0d9f-secret';

class PaymentError extends Error {
  override readonly name = 'PaymentError';
  constructor(readonly balance: number) {
    super(`card declined, token ${CANARY}`);
  }
}
class NotFoundError extends Error {}

const map = compileMap([
  { match: { code: 'P2025' }, status: 404, detail: 'No such record.' },
  {
    match: { instanceOf: PaymentError },
    status: 402,
    code: 'card_declined',
    title: 'Card declined',
    type: 'https://example.com/problems/payment',
    extensions: (e) => ({ balance: (e as PaymentError).balance }),
  },
  { match: { instanceOf: NotFoundError }, status: 404, expose: true },
  { match: { code: ['ECONNREFUSED', 'ETIMEDOUT'] }, status: 503 },
  { match: (e) => typeof e === 'string' && e.startsWith('teapot'), status: 418 },
  { match: { name: 'QuotaError' }, extensions: { quota: 'daily' } },
  {
    match: () => {
      throw new Error('a predicate that throws');
    },
    status: 400,
  },
]);

describe('map rules', () => {
  it('match by code with a public detail of their own', () => {
    const f = toFault(Object.assign(new Error(CANARY), { code: 'P2025' }), {}, map);
    expect(f.public).toMatchObject({ status: 404, code: 'not_found', detail: 'No such record.' });
    expect(f.public.incident).toBeUndefined();
  });

  it('match by class and set code, title, type and extension members', () => {
    const f = toFault(new PaymentError(30), {}, map);
    expect(f.public).toMatchObject({
      status: 402,
      code: 'card_declined',
      title: 'Card declined',
      type: 'https://example.com/problems/payment',
      detail: undefined,
      extensions: { balance: 30 },
    });
    expect(JSON.stringify(f.public)).not.toContain(CANARY);
  });

  it('expose the error message only below 500', () => {
    expect(toFault(new NotFoundError('no user 42'), {}, map).public.detail).toBe('no user 42');
    const down = toFault(Object.assign(new Error(CANARY), { code: 'ETIMEDOUT' }), {}, map);
    expect(down.public).toMatchObject({
      status: 503,
      detail: undefined,
      code: 'service_unavailable',
    });
    expect(down.public.incident).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('match non-Error values with a predicate, and skip one that throws', () => {
    expect(toFault('teapot!', {}, map).public.status).toBe(418);
    expect(toFault('other', {}, map).public.status).toBe(500);
  });

  it('keep what they leave out: a rule with only members keeps the classified status', () => {
    const quota = Object.assign(createError(429, 'slow down'), { name: 'QuotaError' });
    expect(toFault(quota, {}, map).public).toMatchObject({
      status: 429,
      detail: 'slow down',
      extensions: { quota: 'daily' },
    });
    // Rule members are public on a 5xx: the rule author wrote them.
    const five = toFault(Object.assign(new Error(CANARY), { name: 'QuotaError' }), {}, map);
    expect(five.public).toMatchObject({ status: 500, extensions: { quota: 'daily' } });
  });

  it('win over a recognized status, with the code following the new status', () => {
    const f = toFault(Object.assign(new HttpError(500), { code: 'P2025' }), {}, map);
    expect(f.public).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('hand the public problem to an extensions function: old members for old clients', () => {
    const keepOld = compileMap([
      {
        match: () => true,
        extensions: (_e, p) => ({
          statusCode: p.status,
          error: p.title,
          message: p.detail ?? p.title,
        }),
      },
    ]);
    expect(toFault(new HttpError(409, 'taken'), {}, keepOld).public.extensions).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'taken',
    });
    const five = toFault(new Error(CANARY), {}, keepOld);
    expect(five.public.extensions).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
    const throwing = compileMap([
      {
        match: () => true,
        extensions: () => {
          throw new Error('x');
        },
      },
    ]);
    expect(toFault(new Error('x'), {}, throwing).public).toMatchObject({ status: 500 });
    expect(toFault(new Error('x'), {}, throwing).public.extensions).toBeUndefined();
  });

  it('apply through the pipeline as the `map` option', () => {
    const fl = new Faultline({
      logger: false,
      map: [{ match: { name: 'PaymentError' }, status: 402 }],
    });
    const res = fl.respond(new PaymentError(1), {
      method: 'GET',
      url: '/pay',
      headers: { accept: 'application/json' },
      remoteAddress: '203.0.113.9',
    } as never);
    expect(res.status).toBe(402);
    expect(JSON.parse(String(res.body))).toMatchObject({ status: 402, title: 'Payment Required' });
  });

  it('are validated at startup with the rule and key named', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ map: {} }, /option "map" must be an array/],
      [
        { map: [{ match: { code: 'x' }, status: 200 }] },
        /"map\[0\]\.status" must be an integer from 400 to 599/,
      ],
      [{ map: [{ match: PaymentError }] }, /"map\[0\]\.match" is a class.*instanceOf: TheClass/],
      [{ map: [{ match: {} }] }, /"map\[0\]\.match" has no condition/],
      [{ match: 1 }, /is not a faultline option/],
      [{ map: [{ match: { cod: 'x' } }] }, /"map\[0\]\.match\.cod" is not a match condition/],
      [
        { map: [{ match: { code: 'x' }, stauts: 404 }] },
        /"map\[0\]\.stauts" is not a rule setting/,
      ],
      [
        { map: [{ match: { code: 'x' }, extensions: { title: 'x' } }] },
        /"map\[0\]\.extensions\.title" is a member faultline writes/,
      ],
      [{ map: [{ match: { code: 'x' }, type: 'not a uri' }] }, /"map\[0\]\.type" must be a URI/],
      [{ map: [{ match: { code: 'x' }, code: 'Bad Code' }] }, /"map\[0\]\.code" must match/],
    ];
    for (const [options, message] of bad) {
      expect(() => new Faultline({ logger: false, ...(options as object) })).toThrow(message);
    }
  });
});
