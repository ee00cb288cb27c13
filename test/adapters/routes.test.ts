/**
 * The record is complete under each framework's own logger: the route template read from each
 * router (mount paths and prefixes included) goes into the record and into storm grouping, and
 * Fastify's default logger (`logger: true`, its `req` serializer) no longer eats the request fields.
 */
import http from 'node:http';
import { serve } from '@hono/node-server';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline as expressFaultline } from '../../src/adapters/express.js';
import { faultline as fastifyFaultline } from '../../src/adapters/fastify.js';
import { faultline as honoFaultline } from '../../src/adapters/hono.js';
import { faultline as koaFaultline } from '../../src/adapters/koa.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import { listen } from '../support/listen.js';

type Line = Record<string, unknown> & { request?: Record<string, unknown> };

function sink() {
  const lines: Line[] = [];
  return {
    lines,
    write(line: string) {
      lines.push(JSON.parse(line) as Line);
    },
    records: () => lines.filter((l) => typeof l.phase === 'string'),
  };
}

interface App {
  origin: string;
  close(): Promise<void>;
}

const fail = () => {
  throw new Error('order store unavailable');
};

/** One app per router: `GET /api/orders/:id` fails, mounted the router's own way. */
const APPS: Record<
  string,
  (options: FaultlineOptions, logs: ReturnType<typeof sink>) => Promise<App>
> = {
  async express(options) {
    const fl = expressFaultline(options);
    const app = express();
    const orders = express.Router();
    orders.get('/orders/:id', fail);
    app.use('/api', orders);
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    const { origin, close } = await listen(http.createServer(app));
    return { origin, close };
  },
  async fastify(options, logs) {
    // The README quick start: Fastify's own logger in its default configuration.
    const app = Fastify({ logger: { stream: logs } });
    await app.register(fastifyFaultline(options));
    await app.register(
      async (api) => {
        api.get('/orders/:id', async () => fail());
      },
      { prefix: '/api' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
  async koa(options) {
    const fl = koaFaultline(options);
    const app = new Koa();
    app.use(fl.middleware);
    app.on('error', fl.onError);
    const router = new Router({ prefix: '/api' });
    router.get('/orders/:id', fail);
    app.use(router.routes());
    const { origin, close } = await listen(http.createServer(app.callback()));
    return { origin, close };
  },
  async hono(options) {
    const fl = honoFaultline(options);
    const api = new Hono();
    api.get('/orders/:id', fail);
    const app = new Hono();
    app.use(fl.middleware);
    app.route('/api', api);
    app.onError(fl.onError);
    app.notFound(fl.notFound);
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        resolve({
          origin: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              (server as http.Server).closeAllConnections();
              server.close(() => done());
            }),
        });
      });
    });
  },
};

for (const [name, start] of Object.entries(APPS)) {
  describe(`route template and complete record: ${name}`, () => {
    const logs = sink();
    let app: App;
    beforeAll(async () => {
      // Storm control on (the default): repeats on one route template are grouped.
      app = await start({ logger: pino({ base: null }, logs), telemetry: false }, logs);
    });
    afterAll(() => app.close());

    const get = (path: string) =>
      request(`${app.origin}${path}`, {
        headers: { 'x-request-id': 'route-req-1', authorization: 'Bearer abcdefghijklmnop' },
      }).then((r) => r.body.text());

    it('writes the template with its mount path, and every request field', async () => {
      await get('/api/orders/alpha?expand=items&token=t0p');
      const [record] = logs.records();
      expect(record?.status).toBe(500);
      expect(record?.request).toMatchObject({
        method: 'GET',
        route: '/api/orders/:id',
        path: '/api/orders/alpha',
        queryKeys: ['expand', 'token'],
        requestId: 'route-req-1',
        remoteAddress: '127.0.0.1',
        headers: { authorization: '[redacted]', 'x-request-id': 'route-req-1' },
      });
      if (name === 'fastify') expect(typeof record?.reqId).toBe('string');
    });

    it('groups repeats on other paths of the same template (storm control)', async () => {
      await get('/api/orders/beta');
      await get('/api/orders/gamma');
      // Counted, not logged again: a slug path alone would have made each a new fault.
      expect(logs.records().filter((r) => r.storm === undefined)).toHaveLength(1);
    });

    it("logs a 404 at warn, visible at the logger's default level, without a route", async () => {
      await get('/nowhere');
      const notFound = logs.records().find((r) => r.status === 404);
      expect(notFound?.level).toBe(40);
      expect(notFound?.request?.route).toBeUndefined();
      expect(notFound?.request?.path).toBe('/nowhere');
    });
  });
}
