import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Endpoint, parseResponse, send } from '../../../src/cli/check/send.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s instanceof http.Server) s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(server: net.Server): Promise<Endpoint> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: (server.address() as net.AddressInfo).port,
  };
}

const GET = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');

describe('parseResponse', () => {
  it('skips interim 1xx responses and frames by Content-Length', () => {
    const raw = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabcdef',
    );
    const parsed = parseResponse(raw, false);
    expect(parsed.state).toBe('complete');
    if (parsed.state === 'incomplete') return;
    expect(parsed.response.status).toBe(404);
    expect(parsed.response.reason).toBe('Not Found');
    expect(parsed.response.headers).toContainEqual(['x-a', 'b']);
    expect(parsed.response.body.toString()).toBe('abc');
  });

  it('decodes chunked bodies and knows when they are complete', () => {
    const head = 'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n';
    const partial = parseResponse(Buffer.from(`${head}5\r\nhello\r\n`), false);
    expect(partial.state).toBe('head');
    const full = parseResponse(
      Buffer.from(`${head}5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n`),
      false,
    );
    expect(full.state).toBe('complete');
    if (full.state !== 'complete') return;
    expect(full.response.body.toString()).toBe('hello world');
  });

  it('gives HEAD responses no body whatever Content-Length says', () => {
    const parsed = parseResponse(
      Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n'),
      true,
    );
    expect(parsed.state).toBe('complete');
  });

  it('is incomplete until the head ends', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 404 Not Fo'), false).state).toBe('incomplete');
  });
});

describe('send', () => {
  it('reads a real chunked response', async () => {
    const ep = await listen(
      http.createServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.write('part one, ');
        setTimeout(() => res.end('part two'), 20);
      }),
    );
    const out = await send(ep, GET);
    expect(out.kind).toBe('response');
    if (out.kind !== 'response') return;
    expect(out.status).toBe(500);
    expect(out.body.toString()).toBe('part one, part two');
    expect(out.truncated).toBe(false);
  });

  it('reports a connection closed without an answer as a reset', async () => {
    const ep = await listen(net.createServer((socket) => socket.destroy()));
    const out = await send(ep, GET);
    expect(out.kind).toBe('reset');
  });

  it('reports no answer within the deadline as a timeout', async () => {
    // Reads the request (so the close is seen) and never answers.
    const ep = await listen(net.createServer((socket) => socket.resume()));
    const started = Date.now();
    const out = await send(ep, GET, { timeoutMs: 200 });
    expect(out.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts an endless body at the byte cap', async () => {
    const ep = await listen(
      net.createServer((socket) => {
        socket.write('HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\n\r\n');
        const timer = setInterval(() => socket.write('x'.repeat(16_384)), 1);
        socket.on('close', () => clearInterval(timer));
        socket.on('error', () => clearInterval(timer));
      }),
    );
    const out = await send(ep, GET, { maxBytes: 100_000 });
    expect(out.kind).toBe('response');
    if (out.kind !== 'response') return;
    expect(out.truncated).toBe(true);
    expect(out.body.length).toBeLessThan(200_000);
  });

  it('reports a refused connection as unreachable', async () => {
    const ep = await listen(net.createServer());
    await new Promise((r) => (servers.pop() as net.Server).close(r));
    const out = await send(ep, GET);
    expect(out.kind).toBe('unreachable');
  });

  it('keeps the answer of a server that responds and resets while we still write', async () => {
    const ep = await listen(
      net.createServer((socket) => {
        socket.once('data', () => {
          socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n');
        });
      }),
    );
    const huge = Buffer.from(
      `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(2_000_000)}\r\n\r\n`,
    );
    const out = await send(ep, huge);
    expect(out.kind).toBe('response');
    if (out.kind === 'response') expect(out.status).toBe(431);
  });
});
