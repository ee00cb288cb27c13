import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import { selfSigned } from '../conformance/servers.js';
import { memoryLogger, until } from '../support/record-logger.js';

for (const tls of [false, true]) {
  describe(`faultline/node on node:http2 (${tls ? 'TLS' : 'cleartext'})`, () => {
    const logger = memoryLogger();
    let server: http2.Http2Server;
    let origin: string;
    let session: http2.ClientHttp2Session;
    let release: (() => void) | undefined;

    beforeAll(async () => {
      const fl = faultline({ logger });
      const app = fl.handle(
        async (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
          if (req.url === '/client-gone') {
            // Fails only after the client reset the stream: nothing may be written, 499 recorded.
            await new Promise<void>((r) => {
              release = r;
            });
            throw new Error('too late');
          }
          if (req.url === '/late') {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('partial');
            await new Promise((r) => setTimeout(r, 20));
          }
          throw new Error('boom');
        },
      );
      const { key, cert } = selfSigned();
      server = tls ? http2.createSecureServer({ key, cert }, app) : http2.createServer(app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
      session = http2.connect(origin, tls ? { ca: cert } : {});
    });
    afterAll(async () => {
      session.close();
      await new Promise((r) => server.close(r));
    });

    it('answers a failure before the headers with the house response and Vary', async () => {
      const req = session.request({ ':path': '/x', accept: 'text/plain' });
      req.setEncoding('utf8');
      let body = '';
      req.on('data', (c: string) => {
        body += c;
      });
      const headers = await new Promise<http2.IncomingHttpHeaders>((r) => req.on('response', r));
      await new Promise((r) => req.on('end', r));
      expect(headers[':status']).toBe(500);
      expect(headers.vary).toBe('Accept');
      expect(body).toMatch(/^500 Internal Server Error/);
      expect(logger.records.at(-1)?.obj.status).toBe(500);
    });

    it('resets the stream with INTERNAL_ERROR when headers were sent; the session survives', async () => {
      const req = session.request({ ':path': '/late' });
      req.resume();
      req.on('error', () => {});
      await new Promise((r) => req.on('close', r));
      expect(req.rstCode).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
      expect(logger.records.at(-1)?.obj.phase).toBe('stream');
      expect(session.closed || session.destroyed).toBe(false);
    });

    it('records a client that reset its stream as 499 and writes nothing', async () => {
      const req = session.request({ ':path': '/client-gone' });
      req.on('error', () => {});
      await until(() => release !== undefined);
      req.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((r) => req.on('close', r));
      await new Promise((r) => setTimeout(r, 10));
      release?.();
      await until(() => logger.records.at(-1)?.obj.status === 499);
      expect(logger.records.at(-1)?.level).toBe('info');
    });
  });
}
