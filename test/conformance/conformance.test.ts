/**
 * Runs the one scenario table (scenarios.ts) against every adapter (servers.ts) over real
 * sockets on 127.0.0.1 and compares each answer, normalized, with the node:http adapter's.
 */
import { constants as h2 } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, clientFor, type Normalized, normalize } from './client.js';
import { nestExpress, nestFastify } from './nest.js';
import { CANARY, DEVIATIONS, deviationFor, SCENARIOS } from './scenarios.js';
import { ADAPTERS, CONFORMANCE_OPTIONS, failures, node, type Started } from './servers.js';

const reference = new Map<string, Normalized>();
const notFoundRef = (method: string, accept: string) =>
  reference.get(`not-found ${method} accept=${accept}`);

beforeAll(async () => {
  const server = await node(CONFORMANCE_OPTIONS);
  const client = clientFor(server);
  try {
    for (const s of SCENARIOS) reference.set(s.id, normalize(await client.send(s), s));
  } finally {
    await client.close();
    await server.close();
  }
});

describe('the scenario table', () => {
  it('covers every failure kind, Accept, HEAD, and names a reason for every deviation', () => {
    const kinds = new Set(SCENARIOS.map((s) => s.kind));
    expect(kinds.size).toBe(14);
    expect(SCENARIOS.some((s) => s.method === 'HEAD')).toBe(true);
    for (const d of DEVIATIONS) expect(d.reason.length).toBeGreaterThan(20);
  });
});

describe('the reference answers for mapped, extended and validation errors', () => {
  const json = (kind: string) => JSON.parse(reference.get(`${kind} GET accept=json`)?.body ?? '');
  it('a map rule sets status, code, type, detail and members', () => {
    expect(json('mapped')).toEqual({
      type: 'https://example.com/problems/payment-declined',
      title: 'Payment Required',
      status: 402,
      detail: 'The card was declined.',
      code: 'payment_declined',
      balance: 30,
    });
  });
  it('exposed http-errors members reach the body', () => {
    expect(json('extensions')).toMatchObject({
      status: 409,
      detail: failures.conflictMessage,
      errors: failures.conflictErrors,
    });
  });
  it('zod and valibot issues become errors with JSON Pointers', () => {
    expect(json('zod')).toMatchObject({ status: 400, detail: '2 values are not valid.' });
    expect(json('zod').errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '#/email',
      '#/age',
    ]);
    expect(json('valibot').errors).toEqual([
      { pointer: '#/items/1/sku', detail: expect.stringContaining('Invalid length') },
    ]);
  });
});

// NestJS joins here: its app lives in nest.ts, which imports servers.ts.
const ALL = { ...ADAPTERS, 'nest-express': nestExpress, 'nest-fastify': nestFastify };

for (const [name, factory] of Object.entries(ALL)) {
  describe(`conformance: ${name}`, () => {
    let server: Started;
    let client: Client;
    beforeAll(async () => {
      server = await factory(CONFORMANCE_OPTIONS);
      client = clientFor(server);
    });
    afterAll(async () => {
      await client?.close();
      await server?.close();
    });

    for (const s of SCENARIOS) {
      const deviation = deviationFor(name, s);
      const title = deviation ? `${s.id} [deviation: ${deviation.status}]` : s.id;
      it(title, async () => {
        const o = await client.send(s);
        expect(`${JSON.stringify(o.headers)}\n${o.body}`).not.toContain(CANARY);
        if (deviation) {
          // The recorded deviation, and nothing else: the answer is the house 404 exactly.
          expect(o.status, deviation.reason).toBe(deviation.status);
          expect(normalize(o, s)).toEqual(notFoundRef(s.method, s.accept));
          return;
        }
        expect(o.status).toBe(s.status);
        if (s.broken) {
          expect(o.broken, 'a failure after the headers must break the response').toBe(true);
          if (server.protocol === 'h2' || server.protocol === 'h2c')
            expect(o.rstCode).toBe(h2.NGHTTP2_INTERNAL_ERROR);
        } else {
          expect(o.broken).toBe(false);
        }
        if (o.status >= 500) expect(o.headers['faultline-incident']).toMatch(/^[0-9A-Z]{18}$/);
        if (s.method === 'HEAD') expect(o.body).toBe('');
        expect(normalize(o, s)).toEqual(reference.get(s.id));
      });
    }
  });
}
