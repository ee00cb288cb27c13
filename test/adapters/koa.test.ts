import http from 'node:http';
import Koa from 'koa';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { faultline } from '../../src/adapters/koa.js';
import { brokenReadable } from '../conformance/servers.js';
import { listen } from '../support/listen.js';
import { memoryLogger, until } from '../support/record-logger.js';

describe('faultline/koa', () => {
  const logger = memoryLogger();
  let origin: string;
  let close: () => Promise<void>;
  const consoleError = vi.spyOn(console, 'error');

  beforeAll(async () => {
    const fl = faultline({ logger });
    const app = new Koa();
    app.use(fl.middleware);
    app.on('error', fl.onError);
    app.use(async (ctx) => {
      if (ctx.path === '/forbidden') ctx.throw(403, 'not your invoice');
      if (ctx.path === '/hidden') ctx.throw(500, 'pool exhausted at db-7');
      if (ctx.path === '/headers') {
        ctx.set('x-internal-shard', 'db-7');
        ctx.set('access-control-allow-origin', '*');
        throw new Error('after setting headers');
      }
      if (ctx.path === '/stream') {
        ctx.type = 'text/plain';
        ctx.body = brokenReadable();
      }
      if (ctx.path === '/ok') ctx.body = 'fine';
    });
    ({ origin, close } = await listen(http.createServer(app.callback())));
  });
  afterAll(() => close());

  const get = (path: string) =>
    request(`${origin}${path}`, { headers: { accept: 'application/json' } });

  it('answers ctx.throw(403, msg) with the message exposed', async () => {
    const res = await get('/forbidden');
    expect(res.statusCode).toBe(403);
    const problem = (await res.body.json()) as { detail?: string; code: string };
    expect(problem.detail).toBe('not your invoice');
    expect(problem.code).toBe('forbidden');
  });

  it('keeps a ctx.throw(500, msg) message private and gives it an incident', async () => {
    const res = await get('/hidden');
    expect(res.statusCode).toBe(500);
    const text = await res.body.text();
    expect(text).not.toContain('db-7');
    expect(res.headers['faultline-incident']).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('drops handler-set headers but keeps CORS', async () => {
    const res = await get('/headers');
    await res.body.text();
    expect(res.headers['x-internal-shard']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it("renders Koa's unanswered 404 in house format (phase not_found) and leaves answers alone", async () => {
    const res = await request(`${origin}/nope`, { headers: { accept: 'text/plain' } });
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toBe('404 Not Found\n');
    expect(logger.records.at(-1)?.obj.phase).toBe('not_found');
    const ok = await request(`${origin}/ok`);
    expect(await ok.body.text()).toBe('fine');
  });

  it('breaks a ctx.body stream that fails after the headers, records phase stream, prints nothing', async () => {
    const res = await get('/stream');
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    await until(() => logger.records.some((r) => r.obj.phase === 'stream'));
    // Koa's default error listener would have printed the stack to stderr.
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('onError records what Koa emits outside the middleware', () => {
    const fl = faultline({ logger });
    const before = logger.records.length;
    fl.onError(new Error('emitted by the app'));
    expect(logger.records.length).toBe(before + 1);
    expect(logger.records.at(-1)?.obj.status).toBe(500);
  });
});
