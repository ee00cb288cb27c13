/** Deadlines and client aborts through a real node:http server. */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { abortSignal, faultline, type NodeHandler, setDeadline } from '../../src/adapters/node.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import { listen } from '../support/listen.js';
import { memoryLogger } from '../support/memory-logger.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function serve(handler: NodeHandler, options: FaultlineOptions = {}) {
  const mem = memoryLogger();
  const fl = faultline({ logger: mem.logger, ...options });
  const s = await listen(fl.attach(http.createServer(fl.handle(handler))));
  closers.push(s.close);
  return { ...s, mem };
}

describe('deadline', () => {
  it('answers a hanging handler with 503 + Retry-After in time, aborts its signal, drops its late write', async () => {
    let signal: AbortSignal | undefined;
    let lateWrite: unknown = 'not attempted';
    // The handler hangs until the test releases it, so "in time" is an ordering (the 503 arrives
    // while the handler still hangs), not a wall-clock bound that a busy machine can break.
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let handlerDone!: () => void;
    const done = new Promise<void>((r) => {
      handlerDone = r;
    });
    const { url, mem } = await serve(
      async (req, res) => {
        signal = abortSignal(req);
        await released;
        try {
          res.setHeader('x-late', '1');
          res.writeHead(200);
          res.end('late body');
          lateWrite = 'no throw';
        } catch (err) {
          lateWrite = err;
        }
        handlerDone();
      },
      { deadline: 100 },
    );
    const started = Date.now();
    const res = await fetch(url);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('faultline-incident')).toMatch(/^[0-9A-Z]{26}$/);
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(lateWrite).toBe('not attempted');
    expect(signal?.aborted).toBe(true);
    expect((signal as AbortSignal).reason.name).toBe('TimeoutError');
    release();
    await done;
    expect(lateWrite).toBe('no throw');
    expect(mem.records().filter((r) => r.status === 503)).toHaveLength(1);
    expect(mem.records()[0]).toMatchObject({ phase: 'deadline' });
  });

  it('504 when configured, and setDeadline() overrides per route', async () => {
    const { url } = await serve(
      async (req, res) => {
        if (req.url === '/long') setDeadline(req, 400);
        await new Promise((r) => setTimeout(r, 200));
        res.end('done');
      },
      { deadline: { ms: 80, status: 504, retryAfter: 2 } },
    );
    const short = await fetch(`${url}/short`);
    expect([short.status, short.headers.get('retry-after')]).toEqual([504, '2']);
    const long = await fetch(`${url}/long`);
    expect([long.status, await long.text()]).toEqual([200, 'done']);
  });

  it('leaves a handler that already started streaming alone', async () => {
    const { url } = await serve(
      async (_req, res) => {
        res.writeHead(200);
        res.write('a');
        await new Promise((r) => setTimeout(r, 150));
        res.end('b');
      },
      { deadline: 50 },
    );
    const res = await fetch(url);
    expect([res.status, await res.text()]).toEqual([200, 'ab']);
  });

  it('rejects an invalid deadline at startup', () => {
    expect(() => faultline({ logger: false, deadline: -1 })).toThrow(
      /option "deadline" must be a positive integer/,
    );
    expect(() => faultline({ logger: false, deadline: { ms: 10, status: 500 as 503 } })).toThrow(
      /"deadline.status" must be 503 or 504/,
    );
  });
});

describe('client abort (499)', () => {
  it('fires the signal, logs 499 at info, logs no server error, writes nothing', async () => {
    let resolveAborted: (reason: unknown) => void = () => {};
    const aborted = new Promise((r) => {
      resolveAborted = r;
    });
    const { port, mem } = await serve(async (req, res) => {
      const signal = abortSignal(req);
      signal.addEventListener('abort', () => resolveAborted(signal.reason));
      await new Promise((r) => setTimeout(r, 300));
      // The handler fails because its work was cancelled: not a server error.
      if (signal.aborted) throw signal.reason;
      res.end('never');
    });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.on('connect', r));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    const reason = (await aborted) as DOMException;
    expect(reason.name).toBe('AbortError');
    await new Promise((r) => setTimeout(r, 350));
    const records = mem.records();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 30,
      status: 499,
      code: 'client_closed_request',
      phase: 'abort',
      msg: 'client closed request',
    });
    expect(records.some((r) => (r.level as number) >= 50)).toBe(false);
  });
});

describe('guards on a framework app wrapped by handle()', () => {
  it('Express inside fl.handle(): a hanging route gets the deadline 503 and its signal aborts', async () => {
    const { default: express } = await import('express');
    const { faultline: expressFaultline } = await import('../../src/adapters/express.js');
    const fl = expressFaultline({ logger: false, deadline: 80 });
    const app = express();
    let signal: AbortSignal | undefined;
    app.get('/hang', (req, _res) => {
      signal = abortSignal(req);
    });
    app.use(fl.notFound);
    app.use(fl.errorHandler);
    const s = await listen(http.createServer(fl.faultline.handle((req, res) => app(req, res))));
    closers.push(s.close);
    const res = await fetch(`${s.url}/hang`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(signal?.aborted).toBe(true);
  });
});
