import { spawn } from 'node:child_process';
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/hono.js';
import { faultline as nodeFaultline } from '../../src/adapters/node.js';
import { CANARY } from '../conformance/scenarios.js';
import { honoApp } from '../conformance/servers.js';
import { ensureBuilt } from '../support/built.js';
import { memoryLogger } from '../support/record-logger.js';

/** Hono on a Fetch-style runtime: `app.fetch(Request)`, no server at all. */
function appWith(route: (app: Hono) => void) {
  const logger = memoryLogger();
  const fl = faultline({ logger });
  const app = new Hono();
  app.use(fl.middleware);
  route(app);
  app.onError(fl.onError);
  app.notFound(fl.notFound);
  return { app, logger };
}

const json = { headers: { accept: 'application/json' } };

describe('faultline/hono', () => {
  it('honours an HTTPException that carries its own response, and records it', async () => {
    const own = new Response('Basic realm required', {
      status: 401,
      headers: { 'www-authenticate': 'Basic realm="admin"' },
    });
    const { app, logger } = appWith((a) =>
      a.get('/admin', () => {
        throw new HTTPException(401, { res: own });
      }),
    );
    const res = await app.fetch(new Request('http://x/admin', json));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="admin"');
    expect(await res.text()).toBe('Basic realm required');
    expect(logger.records[0]?.obj.status).toBe(401);
  });

  it('renders an HTTPException without a response in house format, message exposed below 500', async () => {
    const { app } = appWith((a) =>
      a.get('/teapot', () => {
        throw new HTTPException(409, { message: 'version conflict' });
      }),
    );
    const res = await app.fetch(new Request('http://x/teapot', json));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { detail?: string; code: string };
    expect(problem.detail).toBe('version conflict');
    expect(problem.code).toBe('conflict');
  });

  it('recognizes an HTTPException from a second copy of hono by its class', async () => {
    class HTTPException extends Error {
      readonly status = 409;
      getResponse(): Response {
        return new Response(this.message, { status: this.status });
      }
    }
    const { app } = appWith((a) =>
      a.get('/dup', () => {
        throw new HTTPException('stale version');
      }),
    );
    const res = await app.fetch(new Request('http://x/dup', json));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { detail?: string }).detail).toBe('stale version');
  });

  it('keeps a 5xx HTTPException message private', async () => {
    const { app } = appWith((a) =>
      a.get('/down', () => {
        throw new HTTPException(503, { message: `upstream ${CANARY}` });
      }),
    );
    const res = await app.fetch(new Request('http://x/down', json));
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain(CANARY);
    expect(res.headers.get('faultline-incident')).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('catches thrown non-Error values, which Hono never hands to onError', async () => {
    const res = await honoApp({ logger: false }).fetch(new Request('http://x/non-error', json));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain(CANARY);
  });

  it('answers HEAD without a body but with the length of the GET body', async () => {
    const app = honoApp({ logger: false });
    const head = await app.fetch(new Request('http://x/exposed', { method: 'HEAD', ...json }));
    const get = await app.fetch(new Request('http://x/exposed', json));
    expect(head.status).toBe(422);
    expect(head.body).toBeNull();
    expect(head.headers.get('content-length')).toBe(String((await get.arrayBuffer()).byteLength));
  });

  it('records a stream-helper failure (phase stream) and errors the body instead of ending it', async () => {
    const logger = memoryLogger();
    const res = await honoApp({ logger }).fetch(new Request('http://x/stream'));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow(/mid-stream/);
    expect(logger.records.some((r) => r.obj.phase === 'stream')).toBe(true);
  });

  it('renders not-found with phase not_found', async () => {
    const { app, logger } = appWith(() => {});
    const res = await app.fetch(
      new Request('http://x/nope', { headers: { accept: 'text/plain' } }),
    );
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('404 Not Found\n');
    expect(logger.records[0]?.obj.phase).toBe('not_found');
  });

  it('drops handler-set headers from error and not-found answers but keeps CORS and Vary', async () => {
    const { app } = appWith((a) => {
      a.use(async (c, next) => {
        c.header('access-control-allow-origin', '*');
        c.header('vary', 'Origin');
        c.header('set-cookie', 'session=abc');
        await next();
      });
      a.get('/boom', (c) => {
        c.header('x-internal-shard', 'db-7');
        throw new Error('boom');
      });
    });
    for (const path of ['/boom', '/nope']) {
      const res = await app.fetch(new Request(`http://x${path}`));
      expect(res.status).toBe(path === '/boom' ? 500 : 404);
      expect(res.headers.get('x-internal-shard')).toBeNull();
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('vary')).toBe('Origin, Accept');
    }
  });

  it('survives a self-throwing proxy: every read of the thrown value is guarded', async () => {
    // Every trap of the handler is a function that throws the proxy itself.
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
    const { app, logger } = appWith((a) =>
      a.get('/proxy', () => {
        throw p;
      }),
    );
    for (const accept of ['application/json', 'text/html', 'text/plain']) {
      const res = await app.fetch(new Request('http://x/proxy', { headers: { accept } }));
      expect(res.status).toBe(500);
      // The same fault three times: storm control counts the repeats as `<root>.<n>`.
      expect(res.headers.get('faultline-incident')).toMatch(/^[0-9A-Z]{26}(\.\d+)?$/);
    }
    expect(logger.records.at(-1)?.obj.status).toBe(500);
  });

  it('answers an HTTPException whose status was changed to a non-error through the core', async () => {
    const { app } = appWith((a) =>
      a.get('/ok-res', () => {
        const e = new HTTPException(401, { res: new Response('fine', { status: 401 }) });
        (e as { status: number }).status = 200;
        throw e;
      }),
    );
    const res = await app.fetch(new Request('http://x/ok-res', json));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('faultline-incident')).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('shares an existing instance', () => {
    const node = nodeFaultline({ logger: false });
    expect(faultline(node).faultline).toBe(node);
  });
});

const STREAM_SERVER = fileURLToPath(new URL('../fixtures/hono-stream-server.mjs', import.meta.url));

/** Runs the fixture; resolves its port once it listens. `stop()` resolves with all it printed. */
async function startStreamServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [STREAM_SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += String(c);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      stdout += String(c);
      const m = /port (\d+)/.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`server exited early: ${stderr}`)));
  });
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return { stdout, stderr };
    },
  };
}

/** One HTTP/2 request; resolves with the status, the body received and the stream's reset code. */
function h2Get(port: number, path: string) {
  return new Promise<{ status: number; body: string; rstCode: number }>((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.on('response', (h) => {
      status = Number(h[':status']);
    });
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('error', () => {});
    req.on('close', () => {
      session.close();
      resolve({ status, body, rstCode: req.rstCode ?? -1 });
    });
    req.end();
  });
}

describe('on @hono/node-server a failed stream is cut without a stack on stderr', () => {
  beforeAll(() => ensureBuilt());

  const cases = [
    ['faultline/hono', 'HTTP/1.1'],
    ['faultline/hono', 'HTTP/2'],
    ['faultline/fetch', 'HTTP/1.1'],
  ] as const;
  for (const [adapter, protocol] of cases) {
    it(`${adapter}, ${protocol}: each failure is one structured record; the server prints nothing of its own`, async () => {
      const server = await startStreamServer({
        ...(protocol === 'HTTP/2' ? { FAULTLINE_H2: '1' } : {}),
        ...(adapter === 'faultline/fetch' ? { FAULTLINE_APP: 'fetch' } : {}),
      });
      const failures = 3;
      for (let i = 0; i < failures; i++) {
        if (protocol === 'HTTP/2') {
          const res = await h2Get(server.port, '/stream');
          expect(res.status).toBe(200);
          expect(res.body).toBe('part one, ');
          // Reset with INTERNAL_ERROR, as faultline/node cuts an HTTP/2 stream.
          expect(res.rstCode).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
        } else {
          const res = await fetch(`http://127.0.0.1:${server.port}/stream`);
          expect(res.status).toBe(200);
          // The body is cut, never ended cleanly: the client sees the failure.
          await expect(res.text()).rejects.toThrow();
        }
      }
      // A later request is answered: the server has run past the failures' own clean-up.
      if (protocol === 'HTTP/2') expect((await h2Get(server.port, '/ok')).body).toBe('ok');
      else expect(await (await fetch(`http://127.0.0.1:${server.port}/ok`)).text()).toBe('ok');
      const { stdout, stderr } = await server.stop();
      const lines = stderr.split('\n').filter((l) => l !== '');
      // Only faultline's JSON records: no "Error: ..." stack from the server's console.error.
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      const records = lines.map((l) => JSON.parse(l) as { phase?: string; status?: number });
      expect(records.filter((r) => r.phase === 'stream' && r.status === 500)).toHaveLength(
        failures,
      );
      expect(records).toHaveLength(failures);
      expect(stdout.trim()).toMatch(/^port \d+$/);
    });
  }
});
