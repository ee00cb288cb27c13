/**
 * One factory per adapter, each building the same app in its framework's own style: the routes of
 * scenarios.ts, failing the same way. Every server listens on 127.0.0.1, port 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http, { type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express5 from 'express';
import express4 from 'express4';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { stream } from 'hono/streaming';
import createError from 'http-errors';
import Koa from 'koa';
import * as v from 'valibot';
import { z } from 'zod';
import { faultline as expressFaultline } from '../../src/adapters/express.js';
import { faultline as fastifyFaultline } from '../../src/adapters/fastify.js';
import { faultline as fetchFaultline } from '../../src/adapters/fetch.js';
import { faultline as honoFaultline } from '../../src/adapters/hono.js';
import { faultline as koaFaultline } from '../../src/adapters/koa.js';
import {
  abortSignal,
  type NodeRequest,
  type NodeResponse,
  faultline as nodeFaultline,
} from '../../src/adapters/node.js';
import { HttpError, httpErrors } from '../../src/core/http-error.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import { CANARY } from './scenarios.js';

/** An error of the app's own domain, which only a `map` rule knows. */
export class PaymentDeclined extends Error {
  override readonly name = 'PaymentDeclined';
  constructor(readonly balance: number) {
    super(`card declined for ${CANARY}`);
  }
}

/** Options every adapter of the table runs with: the `map` rule of the `mapped` kind. */
export const CONFORMANCE_OPTIONS: FaultlineOptions = {
  logger: false,
  map: [
    {
      match: { instanceOf: PaymentDeclined },
      status: 402,
      code: 'payment_declined',
      type: 'https://example.com/problems/payment-declined',
      detail: 'The card was declined.',
      extensions: (e) => ({ balance: (e as PaymentDeclined).balance }),
    },
  ],
};

const signup = z.object({ email: z.email(), age: z.number().int().min(18) });
const order = v.object({ items: v.array(v.object({ sku: v.pipe(v.string(), v.minLength(3)) })) });

function zodError(): unknown {
  return signup.safeParse({ email: 'not-an-email', age: 12 }).error;
}

function valiError(): unknown {
  const r = v.safeParse(order, { items: [{ sku: 'abc' }, { sku: 'x' }] });
  return r.success ? new Error('valibot accepted invalid input') : new v.ValiError(r.issues);
}

/** `fetch`: no socket; a Fetch-style runtime calls the handler with a `Request`. */
export type Protocol = 'h1' | 'h2c' | 'h2' | 'fetch';

export interface Started {
  readonly origin: string;
  readonly protocol: Protocol;
  /** The CA to trust for `h2` (TLS). */
  readonly ca?: string;
  /** The handler itself, for protocol `fetch`. */
  readonly handler?: (request: Request) => Response | Promise<Response>;
  /**
   * Resolves once every response the server began has closed on the server side, so every
   * record of a request (a 499 written on close included) has been written.
   */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Where a framework's own logger writes (pino's destination), for `logs`. */
export interface LogSink {
  write(line: string): void;
}

/**
 * `logs`: the sink faultline's pino writes to, and where the framework's own logger (Fastify's
 * `logger`) writes in its default configuration.
 */
export type Factory = (options: FaultlineOptions, logs?: LogSink) => Promise<Started>;

/** Counts the responses a server began and has not closed yet; see {@link Started.idle}. */
export function openResponses(server: http.Server | http2.Http2Server): () => Promise<void> {
  let open = 0;
  let waiters: Array<() => void> = [];
  server.on('request', (_req: unknown, res: ServerResponse) => {
    open++;
    res.once('close', () => {
      open--;
      if (open === 0) {
        const w = waiters;
        waiters = [];
        for (const resolve of w) resolve();
      }
    });
  });
  return () =>
    open === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          waiters.push(resolve);
        });
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The failures every app throws, so that only the framework differs. */
export const failures = {
  sync: () => new Error('synchronous failure'),
  async: () => new Error('asynchronous failure'),
  nonError: () => ({ reason: 'a plain object, not an Error', secret: CANARY }),
  exposedMessage: 'email must be a valid address',
  exposed: () => httpErrors.unprocessableContent(failures.exposedMessage),
  unexposed: () => new HttpError(400, `token ${CANARY} rejected`, { expose: false }),
  unavailable: () =>
    httpErrors.serviceUnavailable(`maintenance ${CANARY}`, { headers: { 'Retry-After': 120 } }),
  secret: () => new Error(`could not connect to postgres://admin:${CANARY}@db.internal:5432/app`),
  stream: () => new Error(`the data source broke mid-stream ${CANARY}`),
  methodNotAllowed: () => httpErrors.methodNotAllowed(undefined, { headers: { Allow: 'POST' } }),
  mapped: () => new PaymentDeclined(30),
  conflictMessage: 'email is already registered',
  conflictErrors: [{ pointer: '#/email', detail: 'is already registered' }],
  extensions: () => createError(409, failures.conflictMessage, { errors: failures.conflictErrors }),
  zod: zodError,
  valibot: valiError,
};

/**
 * Routes that only throw, registered the same way on every router with `get(path, handler)`
 * (Express, Fastify, Hono). Framework-native variants stay in each app.
 */
const THROWING_ROUTES: ReadonlyArray<readonly [path: string, failure: () => unknown]> = [
  ['/sync', failures.sync],
  ['/non-error', failures.nonError],
  ['/unexposed-4xx', failures.unexposed],
  ['/unavailable', failures.unavailable],
  ['/mapped', failures.mapped],
  ['/extensions', failures.extensions],
  ['/zod', failures.zod],
  ['/valibot', failures.valibot],
];

function throwing(failure: () => unknown): () => never {
  return () => {
    throw failure();
  };
}

export const FIRST_PART = 'first part of the body\n';
const TEXT = 'text/plain; charset=utf-8';

/** What an upstream call fails with once the request's signal aborted it. */
export const upstreamAborted = () =>
  new Error(`the upstream call was aborted with the request ${CANARY}`);

/**
 * A Node stream that yields one chunk, then waits for the request's signal (the client left)
 * and fails, as a body fed by an upstream call made with `abortSignal(req)` does.
 */
export function abortingReadable(signal: AbortSignal): Readable {
  return Readable.from(
    (async function* parts() {
      yield FIRST_PART;
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      throw upstreamAborted();
    })(),
  );
}

/** A Node stream that yields one chunk, then fails. */
export function brokenReadable(): Readable {
  return Readable.from(
    (async function* parts() {
      yield FIRST_PART;
      await delay(30);
      throw failures.stream();
    })(),
  );
}

function listening(server: http.Server | http2.Http2Server, protocol: Protocol, ca?: string) {
  const idle = openResponses(server);
  return new Promise<Started>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const scheme = protocol === 'h2' ? 'https' : 'http';
      resolve({
        origin: `${scheme}://127.0.0.1:${port}`,
        protocol,
        ...(ca === undefined ? {} : { ca }),
        idle,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// ---- node:http and node:http2: the reference app, routed by hand --------------------------

function nodeApp(req: NodeRequest, res: NodeResponse): void | Promise<void> {
  const r = res as ServerResponse;
  switch ((req.url ?? '/').split('?')[0]) {
    case '/sync':
      throw failures.sync();
    case '/async':
      return delay(2).then(() => {
        throw failures.async();
      });
    case '/non-error':
      throw failures.nonError();
    case '/exposed':
      throw failures.exposed();
    case '/unexposed-4xx':
      throw failures.unexposed();
    case '/unavailable':
      throw failures.unavailable();
    case '/mapped':
      throw failures.mapped();
    case '/extensions':
      throw failures.extensions();
    case '/zod':
      throw failures.zod();
    case '/valibot':
      throw failures.valibot();
    case '/secret':
      throw failures.secret();
    case '/stream':
      r.writeHead(200, { 'content-type': TEXT });
      r.write(FIRST_PART);
      return delay(30).then(() => {
        throw failures.stream();
      });
    case '/method-only':
      if (req.method !== 'POST') throw failures.methodNotAllowed();
      r.writeHead(200, { 'content-type': TEXT });
      r.end('posted');
      return;
    case '/abort': {
      r.writeHead(200, { 'content-type': TEXT });
      r.write(FIRST_PART);
      const signal = abortSignal(req);
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => reject(upstreamAborted()), { once: true });
      });
    }
    default:
      throw httpErrors.notFound();
  }
}

export const node: Factory = async (options) => {
  const fl = nodeFaultline(options);
  return listening(fl.attach(http.createServer(fl.handle(nodeApp))), 'h1');
};

export const nodeH2c: Factory = async (options) => {
  const fl = nodeFaultline(options);
  return listening(http2.createServer(fl.handle(nodeApp)), 'h2c');
};

let tls: { key: string; cert: string } | undefined;
/** A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI. */
export function selfSigned(): { key: string; cert: string } {
  if (tls) return tls;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr?.toString()}`);
  tls = {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
  };
  return tls;
}

export const nodeH2: Factory = async (options) => {
  const fl = nodeFaultline(options);
  const { key, cert } = selfSigned();
  return listening(http2.createSecureServer({ key, cert }, fl.handle(nodeApp)), 'h2', cert);
};

// ---- Express 5 and 4 ----------------------------------------------------------------------

type Next = (err?: unknown) => void;
type Mw = (req: http.IncomingMessage, res: ServerResponse, next: Next) => unknown;

function expressFactory(express: typeof express5, v4: boolean): Factory {
  return async (options) => {
    const fl = expressFaultline(options);
    const app = express();
    // Express 4 ignores rejected promises: its users pass them to next() themselves.
    const route = (fn: Mw): Mw =>
      v4
        ? (req, res, next) => {
            const p = fn(req, res, next) as Promise<unknown> | undefined;
            p?.catch(next);
          }
        : fn;
    for (const [path, failure] of THROWING_ROUTES) app.get(path, throwing(failure));
    app.get(
      '/async',
      route(async () => {
        await delay(2);
        throw failures.async();
      }),
    );
    app.get('/exposed', () => {
      throw failures.exposed();
    });
    app.get('/secret', () => {
      throw failures.secret();
    });
    app.get('/stream', (_req, res, next) => {
      res.setHeader('content-type', TEXT);
      const source = brokenReadable();
      source.on('error', next);
      source.pipe(res);
    });
    app.get('/abort', (req, res, next) => {
      res.setHeader('content-type', TEXT);
      const source = abortingReadable(abortSignal(req));
      source.on('error', next);
      source.pipe(res);
    });
    app.post('/method-only', (_req, res) => {
      res.type('text/plain').send('posted');
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    // As the README says for 499s and deadlines: faultline sees the request start.
    return listening(http.createServer(fl.faultline.handle((req, res) => app(req, res))), 'h1');
  };
}

export const expressV5: Factory = expressFactory(express5, false);
export const expressV4: Factory = expressFactory(express4 as unknown as typeof express5, true);

// ---- Fastify 5 ----------------------------------------------------------------------------

function fastifyFactory(h2: boolean): Factory {
  return async (options, logs) => {
    // One app for both modes; the routes do not depend on the server type.
    // Fastify's own logger in its default configuration (level info), written to `logs`.
    const logger = logs === undefined ? false : { stream: logs };
    const app = (h2 ? Fastify({ logger, http2: true }) : Fastify({ logger })) as FastifyInstance;
    await app.register(fastifyFaultline(options));
    for (const [path, failure] of THROWING_ROUTES) app.get(path, throwing(failure));
    app.get('/async', async () => {
      await delay(2);
      throw failures.async();
    });
    app.get('/exposed', () => {
      throw failures.exposed();
    });
    app.get('/secret', async () => {
      throw failures.secret();
    });
    app.get('/stream', (_request, reply) => {
      reply.header('content-type', TEXT);
      return reply.send(brokenReadable());
    });
    app.get('/abort', (request, reply) => {
      reply.header('content-type', TEXT);
      return reply.send(abortingReadable(abortSignal(request.raw)));
    });
    app.post('/method-only', async (_request, reply) => reply.type('text/plain').send('posted'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return {
      origin: `http://127.0.0.1:${port}`,
      protocol: h2 ? 'h2c' : 'h1',
      idle: openResponses(app.server),
      close: () => app.close(),
    };
  };
}

export const fastify: Factory = fastifyFactory(false);
/** Fastify's own HTTP/2 mode (cleartext). */
export const fastifyH2c: Factory = fastifyFactory(true);

// ---- Koa 3 --------------------------------------------------------------------------------

function koaApp(options: FaultlineOptions): Koa {
  const fl = koaFaultline(options);
  const app = new Koa();
  app.use(fl.middleware);
  app.on('error', fl.onError);
  // @koa/router, so records carry its matched route; unmatched paths fall through to Koa's 404.
  const router = new Router();
  router.get('/mapped', () => {
    throw failures.mapped();
  });
  router.get('/extensions', (ctx) => {
    // Koa's own way: ctx.throw with properties, which http-errors copies onto the error.
    ctx.throw(409, failures.conflictMessage, { errors: failures.conflictErrors });
  });
  router.get('/zod', () => {
    throw failures.zod();
  });
  router.get('/valibot', () => {
    throw failures.valibot();
  });
  router.get('/sync', () => {
    throw failures.sync();
  });
  router.get('/async', async () => {
    await delay(2);
    throw failures.async();
  });
  router.get('/non-error', () => {
    throw failures.nonError();
  });
  router.get('/exposed', (ctx) => {
    // Koa's own way: http-errors, exposed because < 500.
    ctx.throw(422, failures.exposedMessage);
  });
  router.get('/unexposed-4xx', () => {
    throw failures.unexposed();
  });
  router.get('/unavailable', () => {
    throw failures.unavailable();
  });
  router.get('/secret', () => {
    throw failures.secret();
  });
  router.get('/stream', (ctx) => {
    ctx.type = TEXT;
    ctx.body = brokenReadable();
  });
  router.get('/abort', (ctx) => {
    ctx.type = TEXT;
    ctx.body = abortingReadable(abortSignal(ctx.req));
  });
  router.all('/method-only', (ctx) => {
    if (ctx.method !== 'POST') throw failures.methodNotAllowed();
    ctx.type = 'text/plain';
    ctx.body = 'posted';
  });
  app.use(router.routes());
  return app;
}

export const koa: Factory = async (options) =>
  listening(http.createServer(koaApp(options).callback()), 'h1');

/** Koa serves node:http2's compatibility API as well. */
export const koaH2c: Factory = async (options) =>
  listening(http2.createServer(koaApp(options).callback()), 'h2c');

// ---- Hono 4 on @hono/node-server, and a bare fetch handler on the same runner ---------------

function honoServe(fetch: (request: Request) => Response | Promise<Response>): Promise<Started> {
  return new Promise((resolve) => {
    let idle: () => Promise<void> = async () => {};
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        protocol: 'h1',
        idle: () => idle(),
        close: () =>
          new Promise<void>((done) => {
            (server as http.Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
    idle = openResponses(server as http.Server);
  });
}

/**
 * Counts stream callbacks still running. Without a socket, a Hono stream's failure after the
 * client left is recorded when its callback throws, after the client's cancel returned.
 */
function pendingWork(): { run<T>(work: () => Promise<T>): Promise<T>; idle(): Promise<void> } {
  let open = 0;
  let waiters: Array<() => void> = [];
  return {
    async run(work) {
      open++;
      try {
        return await work();
      } finally {
        // Counted done only after Hono's own catch has called the stream's onError, which
        // happens in the microtasks that follow; setImmediate runs once they are drained.
        setImmediate(() => {
          open--;
          if (open === 0) {
            const w = waiters;
            waiters = [];
            for (const resolve of w) resolve();
          }
        });
      }
    },
    idle: () =>
      open === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            waiters.push(resolve);
          }),
  };
}

/** The Hono app; exported so Fetch-runtime tests can call `app.fetch` directly. */
export function honoApp(
  options: FaultlineOptions,
  work: ReturnType<typeof pendingWork> = pendingWork(),
): Hono {
  const fl = honoFaultline(options);
  const app = new Hono();
  app.use(fl.middleware);
  for (const [path, failure] of THROWING_ROUTES) app.get(path, throwing(failure));
  app.get('/async', async () => {
    await delay(2);
    throw failures.async();
  });
  app.get('/exposed', () => {
    // Hono's own way: HTTPException without a response of its own.
    throw new HTTPException(422, { message: failures.exposedMessage });
  });
  app.get('/secret', () => {
    throw failures.secret();
  });
  app.get('/stream', (c) => {
    c.header('content-type', TEXT);
    return stream(
      c,
      async (s) => {
        await s.write(FIRST_PART);
        await s.sleep(30);
        throw failures.stream();
      },
      fl.streamError(c),
    );
  });
  app.get('/abort', (c) => {
    c.header('content-type', TEXT);
    return stream(
      c,
      (s) =>
        work.run(async () => {
          await s.write(FIRST_PART);
          await new Promise<void>((resolve) => {
            if (s.aborted) resolve();
            else s.onAbort(resolve);
          });
          throw upstreamAborted();
        }),
      fl.streamError(c),
    );
  });
  app.post('/method-only', (c) => c.text('posted'));
  app.onError(fl.onError);
  app.notFound(fl.notFound);
  return app;
}

export const hono: Factory = async (options) => honoServe(honoApp(options).fetch);

/** The bare fetch handler, routed by hand. */
export function fetchHandler(options: FaultlineOptions): (request: Request) => Promise<Response> {
  const fl = fetchFaultline(options);
  const encoder = new TextEncoder();
  return fl.handle((request: Request, env?: unknown): Response | Promise<Response> => {
    // @hono/node-server passes the Node objects; a runtime without a socket passes none.
    const remote = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
      ?.incoming?.socket?.remoteAddress;
    switch (new URL(request.url).pathname) {
      case '/sync':
        throw failures.sync();
      case '/async':
        return delay(2).then(() => {
          throw failures.async();
        });
      case '/non-error':
        throw failures.nonError();
      case '/exposed':
        throw failures.exposed();
      case '/unexposed-4xx':
        throw failures.unexposed();
      case '/unavailable':
        throw failures.unavailable();
      case '/mapped':
        throw failures.mapped();
      case '/extensions':
        throw failures.extensions();
      case '/zod':
        throw failures.zod();
      case '/valibot':
        throw failures.valibot();
      case '/secret':
        throw failures.secret();
      case '/stream': {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode(FIRST_PART));
          },
          async pull() {
            await delay(30);
            throw failures.stream();
          },
        });
        return fl.watch(new Response(body, { headers: { 'content-type': TEXT } }), request, remote);
      }
      case '/abort': {
        // Waits for the client to leave: the runtime cancels the body.
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode(FIRST_PART));
          },
          pull: () => new Promise<void>(() => {}),
        });
        return fl.watch(new Response(body, { headers: { 'content-type': TEXT } }), request, remote);
      }
      case '/method-only':
        if (request.method !== 'POST') throw failures.methodNotAllowed();
        return new Response('posted', { headers: { 'content-type': 'text/plain' } });
      default:
        throw httpErrors.notFound();
    }
  });
}

export const fetch: Factory = async (options) => honoServe(fetchHandler(options));

/** A handler as Deno.serve, Bun.serve or a worker runtime would call it, without a socket. */
function inProcess(handler: (request: Request) => Response | Promise<Response>): Started {
  return {
    origin: 'http://127.0.0.1',
    protocol: 'fetch',
    handler,
    // Records are written synchronously with what the client sees (a read, a cancel).
    idle: async () => {},
    close: async () => {},
  };
}

/** Every adapter under test; `node` is the reference. */
export const ADAPTERS: Record<string, Factory> = {
  node,
  'node-h2c': nodeH2c,
  'node-h2-tls': nodeH2,
  express5: expressV5,
  express4: expressV4,
  fastify,
  'fastify-h2c': fastifyH2c,
  koa,
  'koa-h2c': koaH2c,
  hono,
  'hono-fetch-runtime': async (options) => {
    const work = pendingWork();
    return { ...inProcess(honoApp(options, work).fetch), idle: work.idle };
  },
  fetch,
  'fetch-runtime': async (options) => inProcess(fetchHandler(options)),
};
