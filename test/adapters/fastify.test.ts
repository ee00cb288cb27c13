import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/fastify.js';
import { brokenReadable } from '../conformance/servers.js';
import { rawRequest } from '../support/raw-http.js';
import { memoryLogger, until } from '../support/record-logger.js';

describe('faultline/fastify', () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const own = memoryLogger();
  let app: FastifyInstance;
  let origin: string;

  beforeAll(async () => {
    // Fastify's own pino logger: the fault record must go there, joined to Fastify's reqId.
    app = Fastify({ logger: { level: 'debug', stream: sink } });
    // Storm control off: each test asserts its own fault's record.
    await app.register(faultline({ logger: own, storm: false }));
    app.post(
      '/validated',
      {
        schema: {
          body: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } },
        },
      },
      async () => ({ ok: true }),
    );
    app.get('/boom', async (_request, reply) => {
      reply.header('x-internal-shard', 'db-7');
      reply.raw.setHeader('x-raw-internal', 'db-8');
      reply.header('access-control-allow-origin', '*');
      throw new Error('db down');
    });
    app.get('/stream', (_request, reply) => reply.type('text/plain').send(brokenReadable()));
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-on-send', 'ran');
      return payload;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => app.close());

  it('answers schema validation failures 400 with the exposed validation message', async () => {
    const res = await request(`${origin}/validated`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
    });
    expect(res.statusCode).toBe(400);
    const problem = (await res.body.json()) as { detail?: string; errors?: unknown };
    expect(problem.detail).toMatch(/email/);
    // ajv's errors as RFC 9457 `errors`: the missing member is in the pointer.
    expect(problem.errors).toEqual([
      { pointer: '#/email', detail: "must have required property 'email'" },
    ]);
  });

  it('answers an unsupported content type (FST_ERR_CTP_INVALID_MEDIA_TYPE) 415', async () => {
    const res = await request(`${origin}/validated`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-klingon', accept: 'application/json' },
      body: 'qapla',
    });
    expect(res.statusCode).toBe(415);
    const problem = (await res.body.json()) as { status: number; code: string; title: string };
    expect(problem.status).toBe(415);
    expect(problem.code).toBe('unsupported_media_type');
    expect(problem.title).toBe('Unsupported Media Type');
  });

  it("sends through Fastify's reply: onSend hooks run, handler headers are dropped, CORS kept", async () => {
    const res = await request(`${origin}/boom`);
    await res.body.text();
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-on-send']).toBe('ran');
    expect(res.headers['x-internal-shard']).toBeUndefined();
    expect(res.headers['x-raw-internal']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers.vary).toBe('Accept');
  });

  it("logs the incident through request.log, joined to Fastify's reqId", async () => {
    const res = await request(`${origin}/boom`);
    await res.body.text();
    const incident = res.headers['faultline-incident'];
    await until(() => lines.some((l) => l.incident === incident));
    const record = lines.find((l) => l.incident === incident) as Record<string, unknown>;
    expect(record.reqId).toEqual(expect.any(String));
    expect(record.level).toBe(50);
    // The access log line of the same request carries the same reqId.
    await until(() => lines.some((l) => l.reqId === record.reqId && l.res !== undefined));
    expect(own.records.some((r) => r.obj.incident === incident)).toBe(false);
  });

  it('uses request.log for not-found too (phase not_found, at debug)', async () => {
    const res = await request(`${origin}/nope`, { headers: { accept: 'text/plain' } });
    expect(res.statusCode).toBe(404);
    expect(await res.body.text()).toBe('404 Not Found\n');
    await until(() => lines.some((l) => l.phase === 'not_found'));
  });

  it('records a stream that fails after the headers (phase stream), and the client sees it broken', async () => {
    const res = await request(`${origin}/stream`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    await until(() => lines.some((l) => l.phase === 'stream'));
  });
});

describe('faultline/fastify hijacked replies', () => {
  it('leaves a hijacked reply alone; failing it through the instance breaks it', async () => {
    const own = memoryLogger();
    const app = Fastify();
    const plugin = faultline({ logger: own });
    await app.register(plugin);
    app.get('/hijacked', (req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.write('partial');
      setTimeout(() => plugin.faultline.fail(new Error('late'), req.raw, reply.raw), 10);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await request(`http://127.0.0.1:${port}/hijacked`);
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    expect(own.records[0]?.obj.phase).toBe('stream');
    await app.close();
  });
});

describe('faultline/fastify: a handler that throws after hijacking', () => {
  const SECRET = 'password=HIJACKSECRET9';
  let app: FastifyInstance;
  let port: number;
  const own = memoryLogger();
  const fastifyLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        fastifyLines.push(String(chunk));
        done();
      },
    });
    app = Fastify({ logger: { level: 'trace', stream: sink } });
    await app.register(faultline({ logger: own, storm: false }));
    const partial = (reply: import('fastify').FastifyReply) => {
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.write('partial');
    };
    app.get('/sync', (_request, reply) => {
      partial(reply);
      throw new Error(`sync ${SECRET}`);
    });
    app.get('/async', async (_request, reply) => {
      partial(reply);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error(`async ${SECRET}`);
    });
    app.get('/nothing-written', async (_request, reply) => {
      reply.hijack();
      throw new Error(`unwritten ${SECRET}`);
    });
    app.get('/ok', async () => 'fine');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => app.close());

  it.each(['sync', 'async'])(
    '%s: the connection is cut, the record scrubbed, Fastify logs nothing of it',
    async (mode) => {
      // The record goes through Fastify's request logger (joined to its reqId), scrubbed.
      const before = fastifyLines.length;
      const record = () => fastifyLines.slice(before).find((l) => l.includes('"phase":"stream"'));
      // The server must close the connection itself, long before the raw client's own timeout.
      const started = Date.now();
      const raw = await rawRequest(port, `GET /${mode} HTTP/1.1\r\nHost: x\r\n\r\n`, 5000);
      expect(Date.now() - started).toBeLessThan(4000);
      // Cut before or after the corked first bytes went out; never a final chunk.
      if (raw !== '') expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(raw).not.toMatch(/\r\n0\r\n\r\n$/);
      await until(() => record() !== undefined);
      expect(JSON.parse(record() as string)).toMatchObject({ status: 500, phase: 'stream' });
      expect(fastifyLines.slice(before).filter((l) => l.includes('"status":'))).toHaveLength(1);
      expect(fastifyLines.join('')).not.toContain('HIJACKSECRET9');
    },
  );

  it('answers a hijacked reply nothing was written to yet, and keeps serving', async () => {
    const res = await request(`http://127.0.0.1:${port}/nothing-written`);
    expect(res.statusCode).toBe(500);
    expect(res.headers['faultline-incident']).toMatch(/^[0-9A-Z]{26}$/);
    expect(await res.body.text()).not.toContain('HIJACKSECRET9');
    expect((await request(`http://127.0.0.1:${port}/ok`)).statusCode).toBe(200);
    expect(fastifyLines.join('')).not.toContain('HIJACKSECRET9');
  });
});

describe('faultline/fastify without a Fastify logger', () => {
  it('falls back to the faultline logger (Fastify stands in a no-op logger)', async () => {
    const own = memoryLogger();
    const app = Fastify();
    await app.register(faultline({ logger: own }));
    app.get('/boom', async () => {
      throw new Error('db down');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(own.records[0]?.obj.incident).toBe(res.headers['faultline-incident']);
    await app.close();
  });

  it('shows the message of an FST_ERR_* error below 500 (body too large: 413)', async () => {
    const app = Fastify({ bodyLimit: 16 });
    await app.register(faultline({ logger: false }));
    app.post('/in', async () => 'ok');
    const res = await app.inject({
      method: 'POST',
      url: '/in',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(100) }),
    });
    expect(res.statusCode).toBe(413);
    expect((res.json() as { detail?: string }).detail).toMatch(/too large/i);
    await app.close();
  });

  it('applies to the registering scope (no child-scope encapsulation)', async () => {
    const app = Fastify();
    await app.register(faultline({ logger: false }));
    const res = await app.inject({
      method: 'POST',
      url: '/missing',
      headers: { accept: 'text/plain' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('404 Not Found\n');
    await app.close();
  });
});

describe('faultline/fastify serverOptions (what Fastify answers before any plugin)', () => {
  const own = memoryLogger();
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    const fl = faultline({ logger: own, storm: false });
    // As docs/adapters.md shows: spread into the constructor options, then register the plugin.
    app = Fastify({ ...fl.serverOptions });
    await app.register(fl);
    app.get('/', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => app.close());

  const head = (raw: string): string => raw.split('\r\n\r\n')[0] ?? '';
  const body = (raw: string): string => raw.split('\r\n\r\n').slice(1).join('\r\n\r\n');

  it("answers Node's parser errors in house format instead of Fastify's JSON: 400, 431, 501", async () => {
    const bad = await rawRequest(
      port,
      'GET / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Length: 12abc\r\n\r\n',
    );
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head(bad)).toContain('content-type: application/problem+json');
    expect(head(bad)).toContain('x-content-type-options: nosniff');
    expect(JSON.parse(body(bad))).toMatchObject({ status: 400, code: 'bad_request' });

    const big = await rawRequest(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(head(big)).toContain('content-type: text/plain');

    const method = await rawRequest(port, 'FOO / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n');
    expect(method).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(head(method)).toMatch(/faultline-incident: [0-9A-Z]{26}/);
    expect(own.records.some((r) => r.obj.phase === 'parse' && r.obj.status === 501)).toBe(true);
  });

  it('answers a URL its router cannot decode (FST_ERR_BAD_URL) 400 in house format, through reply', async () => {
    const raw = await rawRequest(
      port,
      'GET /%zz HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(head(raw)).toContain('content-type: text/html');
    expect(head(raw)).toContain('x-content-type-options: nosniff');
    expect(head(raw)).toContain("content-security-policy: default-src 'none'");
    expect(body(raw)).not.toContain('FST_ERR_BAD_URL');
    const record = own.records.at(-1)?.obj;
    expect(record?.phase).toBe('parse');
    expect(record?.status).toBe(400);
  });

  it('leaves requests Node and the router can parse alone', async () => {
    const raw = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(body(raw)).toBe('{"ok":true}');
  });
});
