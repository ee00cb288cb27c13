/**
 * The HTTP/1.1 status line agrees with the body's title (RFC 9110 phrases: 413 Content Too
 * Large, 422 Unprocessable Content), whatever Node's own table says, for every node adapter.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline as fastifyFaultline } from '../../src/adapters/fastify.js';
import { faultline as nodeFaultline } from '../../src/adapters/node.js';
import { HttpError } from '../../src/core/http-error.js';

function get(
  port: number,
  path: string,
): Promise<{ status: number; reason: string; title: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { accept: 'application/json' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            title: JSON.parse(body).title,
          }),
        );
      })
      .on('error', reject);
  });
}

const fail = (path: string): never => {
  throw new HttpError(Number(path.slice(1)));
};

describe('status line reason phrases', () => {
  let node: http.Server;
  const fastify = Fastify({ logger: false });
  const ports: Record<string, number> = {};
  beforeAll(async () => {
    const fl = nodeFaultline({ logger: false });
    node = http.createServer(fl.handle((req) => fail(req.url ?? '/500')));
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    ports.node = (node.address() as AddressInfo).port;
    await fastify.register(fastifyFaultline({ logger: false }));
    fastify.get('/:status', (request) => fail(request.url));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    ports.fastify = (fastify.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => node.close(() => r()));
    await fastify.close();
  });

  for (const adapter of ['node', 'fastify']) {
    for (const [status, phrase] of [
      [422, 'Unprocessable Content'],
      [413, 'Content Too Large'],
      [500, 'Internal Server Error'],
    ] as const) {
      it(`${adapter}: ${status} ${phrase}`, async () => {
        const res = await get(ports[adapter] as number, `/${status}`);
        expect(res).toEqual({ status, reason: phrase, title: phrase });
      });
    }
  }
});
