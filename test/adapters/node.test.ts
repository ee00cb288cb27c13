import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline, type NodeHandler } from '../../src/adapters/node.js';
import { httpErrors } from '../../src/core/http-error.js';
import { listen } from '../support/listen.js';
import { memoryLogger } from '../support/memory-logger.js';
import { rawRequest } from '../support/raw-http.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function serve(handler: NodeHandler, mem = memoryLogger()) {
  const fl = faultline({ logger: mem.logger });
  const server = fl.attach(http.createServer(fl.handle(handler)));
  const s = await listen(server);
  closers.push(s.close);
  return { ...s, mem };
}

describe('faultline/node handle()', () => {
  it('turns a sync throw and a rejection into a 500 with an incident id', async () => {
    const { url, mem } = await serve((req) => {
      if (req.url === '/sync') throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    });
    for (const path of ['/sync', '/async']) {
      const res = await fetch(url + path);
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(500);
      expect(body.incident).toBe(res.headers.get('faultline-incident'));
      expect(JSON.stringify(body)).not.toContain('boom');
    }
    expect(mem.records().map((r) => (r.error as { message: string }).message)).toEqual([
      'sync boom',
      'async boom',
    ]);
  });

  it('removes handler-set headers that must not leak and keeps CORS, Vary, security headers', async () => {
    const { url } = await serve((_req, res) => {
      res.setHeader('set-cookie', 'session=abc');
      res.setHeader('etag', '"v1"');
      res.setHeader('cache-control', 'public, max-age=3600');
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-disposition', 'attachment');
      res.setHeader('access-control-allow-origin', 'https://app.example');
      res.setHeader('access-control-expose-headers', 'Faultline-Incident');
      res.setHeader('vary', 'Origin');
      res.setHeader('strict-transport-security', 'max-age=63072000');
      throw new Error('x');
    });
    const res = await fetch(url, { headers: { accept: 'text/plain' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toBe('Faultline-Incident');
    expect(res.headers.get('vary')).toBe('Origin, Accept');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=63072000');
    const text = await res.text();
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
  });

  it('answers HEAD with headers only and keeps the connection usable after an unread body', async () => {
    const { port } = await serve(() => {
      throw httpErrors.contentTooLarge();
    });
    const head = await rawRequest(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head).toMatch(/content-length: \d+/i);
    expect(head.split('\r\n\r\n')[1]).toBe('');
    const body = 'a'.repeat(5000);
    const two = await rawRequest(
      port,
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(two.match(/HTTP\/1\.1 413 /g)).toHaveLength(2);
  });

  it('cuts a chunked response that fails mid-stream so the client sees an error', async () => {
    const { url, mem } = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial ');
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('mid-stream');
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(mem.records()[0]).toMatchObject({ phase: 'stream', status: 500 });
  });

  it('cuts a Content-Length response that fails short', async () => {
    const { port } = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part');
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('short');
    });
    const raw = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw.split('\r\n\r\n')[1]).toBe('only part');
  });

  it('answers parser errors in the house format: 400, 431, 501', async () => {
    const { port, mem } = await serve(() => {});
    const bad = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bad).toContain('"status":400');
    const big = await rawRequest(
      port,
      `GET / HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    const method = await rawRequest(port, 'FOO / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n');
    expect(method).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(method).toContain('content-type: text/html');
    expect(method).toMatch(/faultline-incident: [0-9A-Z]{26}/);
    expect(mem.records().some((r) => r.phase === 'parse' && r.status === 501)).toBe(true);
    // Not a request line at all (no target, no version): 400, as nginx and Apache answer.
    const garbage = await rawRequest(port, 'GARBAGE\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(await rawRequest(port, 'BREW /\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawRequest(port, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 501 /,
    );
  });

  it('clientError() answers a parser error for a server that owns its own listener', async () => {
    const mem = memoryLogger();
    const fl = faultline({ logger: mem.logger });
    const server = http.createServer(() => {});
    server.on('clientError', (err: Error & { rawPacket?: unknown }, socket) => {
      // A framework may hand over the raw bytes in another shape (Fastify types them as JSON):
      // the answer must not depend on them.
      if (err.message.includes('Invalid method')) err.rawPacket = { type: 'Buffer', data: [] };
      fl.clientError(err, socket);
    });
    const s = await listen(server);
    closers.push(s.close);
    const html = await rawRequest(
      s.port,
      'GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nBad\r\n\r\n',
    );
    expect(html).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(html).toContain('content-type: text/html');
    const method = await rawRequest(
      s.port,
      'FOO / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n',
    );
    expect(method).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
    expect(method).toContain('content-type: application/problem+json');
    expect(mem.records().filter((r) => r.phase === 'parse')).toHaveLength(2);
  });

  it('delivers the last-resort 500 when the response cannot be rendered normally', async () => {
    const { url } = await serve((_req, res) => {
      // A hostile handler breaks the response object itself.
      (res as unknown as { getHeaderNames: () => never }).getHeaderNames = () => {
        throw new Error('broken response');
      };
      throw new Error('x');
    });
    const res = await fetch(url);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal Server Error\n');
  });
});
