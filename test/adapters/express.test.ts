import http from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/express.js';
import { faultline as nodeFaultline } from '../../src/adapters/node.js';
import { listen } from '../support/listen.js';
import { memoryLogger, until } from '../support/record-logger.js';

for (const [version, express] of [
  ['5', express5],
  ['4', express4 as unknown as typeof express5],
] as const) {
  describe(`faultline/express on Express ${version}`, () => {
    const logger = memoryLogger();
    let origin: string;
    let close: () => Promise<void>;
    const app = express();

    beforeAll(async () => {
      const fl = faultline({ logger });
      app.post('/json', express.json({ limit: 64 }), (req, res) => {
        res.json({ got: req.body });
      });
      app.get('/headers', (_req, res) => {
        res.setHeader('x-internal-shard', 'db-7');
        res.setHeader('access-control-allow-origin', '*');
        throw new Error('after setting headers');
      });
      app.get('/pino', (req, _res, next) => {
        // What pino-http does: a child logger per request, carrying its request id.
        const child = memoryLogger();
        (req as unknown as { log: unknown }).log = child;
        (app.locals as { child?: unknown }).child = child;
        next(new Error('with a request logger'));
      });
      app.get('/late', (_req, res, next) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        setTimeout(() => next(new Error('late failure')), 10);
      });
      app.get('/gone', (_req, res, next) => {
        // Not wrapped by fl.handle: nothing tracks the request. The client leaves after the
        // first chunk; the upstream feeding the body then fails because of it.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        res.once('close', () => next(new Error('upstream aborted: the client left')));
      });
      app.use(fl.notFound);
      app.use(fl.errorHandler);
      ({ origin, close } = await listen(http.createServer(app)));
    });
    afterAll(() => close());

    const post = (body: string, contentType: string) =>
      request(`${origin}/json`, {
        method: 'POST',
        headers: { 'content-type': contentType, accept: 'application/json' },
        body,
      });

    it('answers body-parser 400 (malformed JSON) with the exposed status in house format', async () => {
      const res = await post('{"a":', 'application/json');
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = (await res.body.json()) as { status: number; code: string };
      expect(problem.status).toBe(400);
      expect(problem.code).toBe('bad_request');
    });

    it('answers body-parser 413 when the body exceeds the limit', async () => {
      const res = await post(JSON.stringify({ pad: 'x'.repeat(500) }), 'application/json');
      expect(res.statusCode).toBe(413);
      const problem = (await res.body.json()) as { status: number; detail?: string };
      expect(problem.status).toBe(413);
      expect(problem.detail).toMatch(/too large/i);
    });

    it('answers body-parser 415 for an unsupported charset', async () => {
      const res = await post('{}', 'application/json; charset=klingon');
      expect(res.statusCode).toBe(415);
      const problem = (await res.body.json()) as { status: number; detail?: string };
      expect(problem.detail).toMatch(/klingon/i);
    });

    it('drops handler-set headers but keeps CORS on the error response', async () => {
      const res = await request(`${origin}/headers`);
      await res.body.text();
      expect(res.statusCode).toBe(500);
      expect(res.headers['x-internal-shard']).toBeUndefined();
      // Set by Express before any route; it names the framework, so it goes too.
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it('reuses a pino-http style req.log for the record', async () => {
      const before = logger.records.length;
      const res = await request(`${origin}/pino`);
      await res.body.text();
      expect(res.statusCode).toBe(500);
      expect(logger.records.length).toBe(before);
      const child = (app.locals as { child: ReturnType<typeof memoryLogger> }).child;
      expect(child.records).toHaveLength(1);
      expect(child.records[0]?.obj.incident).toBe(res.headers['faultline-incident']);
    });

    it('breaks a response whose headers were sent and records phase "stream"', async () => {
      const res = await request(`${origin}/late`);
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
      await until(() => logger.records.some((r) => r.obj.phase === 'stream'));
    });

    it('records a failure after the client left as its 499, not a 500, once', async () => {
      const before = logger.records.length;
      const controller = new AbortController();
      const res = await request(`${origin}/gone`, { signal: controller.signal });
      res.body.on('error', () => {});
      await new Promise((resolve) => res.body.once('data', resolve));
      controller.abort();
      await until(() => logger.records.length > before);
      const added = logger.records.slice(before).map((r) => `${r.obj.status} ${r.obj.phase}`);
      expect(added).toEqual(['499 abort']);
    });

    it('renders unknown paths through the not-found handler with phase "not_found"', async () => {
      const res = await request(`${origin}/nope`, { headers: { accept: 'text/plain' } });
      expect(res.statusCode).toBe(404);
      expect(await res.body.text()).toBe('404 Not Found\n');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(logger.records.at(-1)?.obj.phase).toBe('not_found');
    });
  });
}

describe('faultline/express factory', () => {
  it('shares an instance from faultline/node', () => {
    const node = nodeFaultline({ logger: false });
    expect(faultline(node).faultline).toBe(node);
  });

  it('keeps the four-parameter arity Express needs to see an error middleware', () => {
    expect(faultline({ logger: false }).errorHandler.length).toBe(4);
  });
});
