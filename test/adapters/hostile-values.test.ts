/**
 * Property: any thrown value gets a valid error answer on every adapter. Generated values (forged
 * brands, mutated statuses, non-Latin-1 and control-character public headers, proxies whose traps
 * throw, primitives, secrets in names, messages and stacks) are thrown, sync and async, from a
 * route of a real server per adapter on 127.0.0.1, and every answer must be a complete HTTP
 * answer with a status in 400–599, faultline's headers, an incident id on every 5xx, no canary in
 * the body, the headers or any log line, and the server still serving.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import express5 from 'express';
import express4 from 'express4';
import fc from 'fast-check';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline as expressFaultline } from '../../src/adapters/express.js';
import { faultline as fastifyFaultline } from '../../src/adapters/fastify.js';
import { faultline as fetchFaultline } from '../../src/adapters/fetch.js';
import { faultline as honoFaultline } from '../../src/adapters/hono.js';
import { faultline as koaFaultline } from '../../src/adapters/koa.js';
import { faultline as nodeFaultline } from '../../src/adapters/node.js';
import { HttpError, httpErrors } from '../../src/core/http-error.js';
import { memoryLogger } from '../support/memory-logger.js';

/** Planted in every secret-looking place; must never reach a client or survive scrubbing. */
const CANARY = 'cnry7Q2xZ9hostile';
const BRAND = Symbol.for('faultline.http-error');

/** What the routes throw next; requests are sent one at a time. */
let current: () => unknown = () => new Error('unset');

interface Target {
  readonly name: string;
  readonly origin: string;
  /** Set for a Fetch-style runtime without a socket (Deno.serve, Bun.serve, workers). */
  readonly handler?: (request: Request) => Response | Promise<Response>;
  /** Every log line the server and its framework wrote. */
  readonly log: () => string;
  close(): Promise<void>;
}

function sink(lines: string[]): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
}

function listening(name: string, server: http.Server, log: () => string): Promise<Target> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        name,
        origin: `http://127.0.0.1:${port}`,
        log,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const later = (): Promise<never> =>
  Promise.resolve().then(() => {
    throw current();
  });

async function startNode(): Promise<Target> {
  const { logger, text } = memoryLogger();
  const fl = nodeFaultline({ logger, storm: false });
  const server = http.createServer(
    fl.handle((req, res) => {
      if (req.url === '/health') return void res.end('ok');
      if (req.url === '/a') return later();
      throw current();
    }),
  );
  return listening('node', fl.attach(server), text);
}

async function startExpress(name: string, express: typeof express5): Promise<Target> {
  const { logger, text } = memoryLogger();
  const fl = expressFaultline({ logger, storm: false });
  const app = express();
  app.get('/health', (_req, res) => void res.send('ok'));
  app.get('/t', () => {
    throw current();
  });
  // Express 4 ignores rejected promises: pass them to next() as its users do.
  app.get('/a', (_req, _res, next) => void later().catch(next));
  app.use(fl.notFound);
  app.use(fl.errorHandler);
  return listening(name, http.createServer(app), text);
}

async function startFastify(): Promise<Target> {
  const { logger, text } = memoryLogger();
  const lines: string[] = [];
  const app = Fastify({ logger: { level: 'trace', stream: sink(lines) } });
  await app.register(fastifyFaultline({ logger, storm: false }));
  app.get('/health', async () => 'ok');
  app.get('/t', () => {
    throw current();
  });
  app.get('/a', () => later());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    name: 'fastify',
    origin: `http://127.0.0.1:${port}`,
    log: () => text() + lines.join(''),
    close: () => app.close(),
  };
}

async function startKoa(): Promise<Target> {
  const { logger, text } = memoryLogger();
  const fl = koaFaultline({ logger, storm: false });
  const app = new Koa();
  app.use(fl.middleware);
  app.on('error', fl.onError);
  app.use(async (ctx) => {
    if (ctx.path === '/health') ctx.body = 'ok';
    else if (ctx.path === '/a') await later();
    else throw current();
  });
  return listening('koa', http.createServer(app.callback()), text);
}

function honoServed(
  name: string,
  fetch: (request: Request) => Response | Promise<Response>,
  log: () => string,
): Promise<Target> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        name,
        origin: `http://127.0.0.1:${info.port}`,
        log,
        close: () =>
          new Promise<void>((done) => {
            (server as http.Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

async function startHono(runtime = false): Promise<Target> {
  const { logger, text } = memoryLogger();
  const fl = honoFaultline({ logger, storm: false });
  const app = new Hono();
  app.use(fl.middleware);
  app.get('/health', (c) => c.text('ok'));
  app.get('/t', () => {
    throw current();
  });
  app.get('/a', () => later());
  app.onError(fl.onError);
  app.notFound(fl.notFound);
  return runtime
    ? inProcess('hono-fetch-runtime', app.fetch, text)
    : honoServed('hono', app.fetch, text);
}

/** The same handler called as a Fetch-style runtime would, with a `Request` and no socket. */
function inProcess(
  name: string,
  handler: NonNullable<Target['handler']>,
  log: () => string,
): Target {
  return { name, origin: 'http://127.0.0.1', handler, log, close: async () => {} };
}

async function startFetch(runtime = false): Promise<Target> {
  const { logger, text } = memoryLogger();
  const fl = fetchFaultline({ logger, storm: false });
  const handler = fl.handle((req: Request): Response | Promise<Response> => {
    const path = new URL(req.url).pathname;
    if (path === '/health') return new Response('ok');
    if (path === '/a') return later();
    throw current();
  });
  return runtime ? inProcess('fetch-runtime', handler, text) : honoServed('fetch', handler, text);
}

// ---- generated thrown values --------------------------------------------------------------

const secret = fc.constantFrom(
  `password=${CANARY}`,
  `Bearer ${CANARY}`,
  `postgres://admin:${CANARY}@db.internal/app`,
  `sk_live_${CANARY}`,
  `{"api_key":"${CANARY}"}`,
);
const status = fc.oneof(
  fc.constantFrom(200, 204, 302, 101, 99, 1e10, 0, -1, 404.5, Number.NaN, 399, 600, 1000),
  fc.constantFrom(400, 401, 404, 418, 429, 499, 500, 502, 503, 599),
  fc.integer(),
  fc.constantFrom('404', null, undefined, {}),
);
const headerValue = fc.oneof(
  fc.constantFrom('€', 'Basic realm="日本"', '1\r\nSet-Cookie: x=1', '1\u0000', '\u007f', '120'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
);
const headers = fc.record(
  {
    'Retry-After': headerValue,
    'www-authenticate': headerValue,
    Allow: headerValue,
    // Not a public header: must never reach the client.
    'Set-Cookie': secret,
  },
  { requiredKeys: [] },
);
/** A message a client may see (an exposed 4xx), or one with a secret (never exposed). */
const message = (expose: boolean) =>
  expose ? fc.constantFrom('email is invalid', 'no such thing') : secret;

type Make = () => unknown;

function selfThrowing(): unknown {
  let p: unknown;
  p = new Proxy(
    {},
    new Proxy(
      {},
      {
        get: () => () => {
          throw p;
        },
      },
    ),
  );
  return p;
}

const thrown: fc.Arbitrary<{ label: string; make: Make }> = fc.oneof(
  fc
    .record({ status, expose: fc.boolean(), headers })
    .chain((r) => message(r.expose).map((m) => ({ ...r, message: m })))
    .map((r) => ({
      label: `forged brand ${String(r.status)}`,
      make: () => ({ [BRAND]: true, ...r }),
    })),
  fc
    .record({ status, expose: fc.boolean(), headers })
    .chain((r) => message(r.expose).map((m) => ({ ...r, message: m })))
    .map((r) => ({
      label: `mutated HttpError ${String(r.status)}`,
      make: () => {
        const e = new HttpError(400, r.message, { expose: r.expose });
        Object.assign(e, { status: r.status, headers: r.headers });
        return e;
      },
    })),
  fc
    .record({ status, statusCode: status, expose: fc.boolean(), headers })
    .chain((r) => message(r.expose).map((m) => ({ ...r, message: m })))
    .map((r) => ({ label: `status-carrying object ${String(r.status)}`, make: () => ({ ...r }) })),
  fc.record({ status: fc.constantFrom(401, 429, 503), headers }).map((r) => ({
    label: `public headers ${JSON.stringify(r.headers)}`,
    make: () =>
      new HttpError(r.status, undefined, {
        headers: r.headers as Record<string, string | number>,
      }),
  })),
  fc.record({ statusCode: status, headers, name: secret }).map((r) => ({
    label: 'Boom-like',
    make: () => ({
      isBoom: true,
      message: r.name,
      output: { statusCode: r.statusCode, headers: r.headers, payload: { message: 'public' } },
    }),
  })),
  fc.tuple(secret, secret).map(([name, msg]) => ({
    label: 'Error with secrets in name and message',
    make: () => {
      const e = new Error(msg);
      e.name = name;
      return e;
    },
  })),
  fc.constantFrom<{ label: string; make: Make }>(
    { label: 'self-throwing proxy', make: selfThrowing },
    {
      label: 'proxy whose traps throw secrets',
      make: () =>
        new Proxy(
          {},
          {
            get() {
              throw new Error(`password=${CANARY}`);
            },
            getPrototypeOf() {
              throw new Error(`password=${CANARY}`);
            },
            ownKeys() {
              throw new Error(`password=${CANARY}`);
            },
            has() {
              throw new Error(`password=${CANARY}`);
            },
          },
        ),
    },
    {
      label: 'revoked proxy',
      make: () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    },
    { label: 'null', make: () => null },
    { label: 'undefined', make: () => undefined },
    { label: 'symbol', make: () => Symbol(`password=${CANARY}`) },
    { label: 'secret string', make: () => `token=${CANARY}` },
    {
      label: 'object with a secret field',
      make: () => ({ reason: 'plain object', secret: CANARY, password: CANARY }),
    },
  ),
);

const accept = fc.constantFrom('application/json', 'text/html', 'text/plain', '*/*');

// ---- the property ---------------------------------------------------------------------------

describe('every thrown value gets a valid error answer, on every adapter', () => {
  const targets: Target[] = [];
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });

  beforeAll(async () => {
    targets.push(
      await startNode(),
      await startExpress('express5', express5),
      await startExpress('express4', express4 as unknown as typeof express5),
      await startFastify(),
      await startKoa(),
      await startHono(),
      await startFetch(),
      await startHono(true),
      await startFetch(true),
    );
  });
  afterAll(async () => {
    await dispatcher.close();
    for (const t of targets) await t.close();
  });

  /** One request, over a socket or, for a Fetch-style runtime, by calling the handler. */
  async function send(t: Target, path: string, acc: string) {
    if (t.handler !== undefined) {
      const r = await t.handler(new Request(`${t.origin}${path}`, { headers: { accept: acc } }));
      const headers: Record<string, string> = {};
      r.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return { statusCode: r.status, headers, body: await r.text() };
    }
    const r = await request(`${t.origin}${path}`, { headers: { accept: acc }, dispatcher });
    return {
      statusCode: r.statusCode,
      headers: r.headers as Record<string, string | undefined>,
      body: await r.body.text(),
    };
  }

  it('issue 16, cases 1 and 2, on every adapter: bad statuses become 500, bad header values are dropped', async () => {
    const statuses = [200, 204, 302, 101, 99, 1e10];
    for (const t of targets) {
      for (const status of statuses) {
        for (const make of [
          () => Object.assign(httpErrors.badRequest('x'), { status }),
          () => ({ [BRAND]: true, status, message: 'x' }),
        ]) {
          current = make;
          const r = await send(t, '/t', 'application/json');
          const where = `${t.name} status ${status}`;
          expect(r.statusCode, where).toBe(500);
          expect(r.headers['faultline-incident'], where).toMatch(/^[0-9A-Z]{26}(\.\d+)?$/);
          expect(JSON.parse(r.body), where).toMatchObject({ status: 500, code: 'internal_error' });
        }
      }
      for (const headers of [
        { 'Retry-After': '€', Allow: 'GET' },
        { 'WWW-Authenticate': 'Basic realm="日本"', Allow: 'GET' },
        { 'Retry-After': '1\r\nX-Injected: yes', Allow: 'GET' },
      ]) {
        current = () => ({ status: 503, headers });
        const r = await send(t, '/t', 'text/plain');
        const where = `${t.name} ${JSON.stringify(headers)}`;
        expect(r.statusCode, where).toBe(503);
        expect(r.headers.allow, where).toBe('GET');
        expect(r.headers['retry-after'], where).toBeUndefined();
        expect(r.headers['www-authenticate'], where).toBeUndefined();
        expect(r.headers['x-injected'], where).toBeUndefined();
        expect(r.body, where).toContain('503 Service Unavailable');
      }
      expect(t.log(), t.name).toContain('"droppedHeaders":["retry-after"]');
    }
  }, 60_000);

  it('property: complete answer, 400–599, faultline headers, incident on 5xx, no canary, server alive', async () => {
    const bad: string[] = [];
    await fc.assert(
      fc.asyncProperty(thrown, fc.boolean(), accept, async (value, async, acc) => {
        current = value.make;
        for (const t of targets) {
          const where = `${t.name} ${async ? 'async' : 'sync'} ${value.label}`;
          const logged = t.log().length;
          const res = await send(t, `/${async ? 'a' : 't'}`, acc);
          // A complete answer: the body ends cleanly and matches its declared length.
          const { body, headers: h } = res;
          if (h['content-length'] !== undefined)
            expect(Buffer.byteLength(body), where).toBe(Number(h['content-length']));
          expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, where).toBeLessThanOrEqual(599);
          expect(h['x-content-type-options'], where).toBe('nosniff');
          expect(h['cache-control'], where).toBe('no-store');
          if (res.statusCode >= 500) {
            expect(h['faultline-incident'], where).toMatch(/^[0-9A-Z]{26}(\.\d+)?$/);
            expect(body, where).toContain(String(h['faultline-incident']));
          }
          expect(h['set-cookie'], where).toBeUndefined();
          const health = await send(t, '/health', '*/*');
          expect(health.statusCode, `${where}: server still serving`).toBe(200);
          // Only what this request logged (a framework may log after answering).
          const seen = `${JSON.stringify(h)}\n${body}\n${t.log().slice(logged)}`;
          if (seen.includes(CANARY)) bad.push(`${where}: ${seen}`);
          expect(seen.includes(CANARY), `canary leaked: ${where}: ${seen}`).toBe(false);
        }
      }),
      {
        numRuns: 30,
        // The numbered cases of issue 16 run every time, before the generated ones.
        examples: [
          [{ label: 'self-throwing proxy', make: selfThrowing }, false, 'application/json'],
          [
            {
              label: 'mutated 200',
              make: () => Object.assign(httpErrors.badRequest('x'), { status: 200 }),
            },
            true,
            'text/html',
          ],
          [
            { label: 'forged 302', make: () => ({ [BRAND]: true, status: 302, message: 'x' }) },
            false,
            'text/plain',
          ],
          [
            {
              label: 'non-Latin-1 Retry-After',
              make: () => ({ status: 503, headers: { 'Retry-After': '€' } }),
            },
            false,
            '*/*',
          ],
        ],
      },
    );
    expect(bad).toEqual([]);
  }, 60_000);
});
