// One benchmark server per process. MODE=hello|boom picks the route behaviour; STACK picks the
// framework and whether faultline is installed. Prints "port <n>" when listening.
// The failing route throws `new Error('boom')` — the common case of an unexpected exception.
import http from 'node:http';

const { STACK = 'raw', MODE = 'boom' } = process.env;
const boom = MODE === 'boom';
const HELLO = 'hello world';

function listen(server) {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`));
}

async function main() {
  switch (STACK) {
    case 'raw': {
      // The physical limit: try/catch writing a bare 500, logging nothing.
      listen(
        http.createServer((_req, res) => {
          try {
            if (boom) throw new Error('boom');
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(HELLO);
          } catch {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('Internal Server Error');
          }
        }),
      );
      return;
    }
    case 'faultline': {
      const { faultline } = await import('../../dist/adapters/node.js');
      const fl = faultline(); // defaults: pino to stderr (redirected to a file by the harness)
      listen(
        fl.attach(
          http.createServer(
            fl.handle((req, res) => {
              // The storm scenario asks for the live heap after a full GC (needs --expose-gc).
              if (req.url === '/__heap' && typeof globalThis.gc === 'function') {
                globalThis.gc();
                res.end(String(process.memoryUsage().heapUsed));
                return;
              }
              if (boom) throw new Error('boom');
              res.writeHead(200, { 'content-type': 'text/plain' });
              res.end(HELLO);
            }),
          ),
        ),
      );
      return;
    }
    case 'express':
    case 'express+faultline': {
      const { default: express } = await import('express');
      const app = express();
      app.get('/', (_req, res) => {
        if (boom) throw new Error('boom');
        res.type('text/plain').send(HELLO);
      });
      if (STACK === 'express+faultline') {
        const { faultline } = await import('../../dist/adapters/express.js');
        const fl = faultline();
        app.use(fl.notFound);
        app.use(fl.errorHandler);
      }
      listen(http.createServer(app));
      return;
    }
    case 'fastify':
    case 'fastify-nolog':
    case 'fastify+faultline': {
      const { default: Fastify } = await import('fastify');
      const app = Fastify({ logger: STACK !== 'fastify-nolog' });
      if (STACK === 'fastify+faultline') {
        const { faultline } = await import('../../dist/adapters/fastify.js');
        await app.register(faultline());
      }
      app.get('/', async () => {
        if (boom) throw new Error('boom');
        return HELLO;
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      process.stdout.write(`port ${app.server.address().port}\n`);
      return;
    }
    case 'hono':
    case 'hono+faultline': {
      const { Hono } = await import('hono');
      const { serve } = await import('@hono/node-server');
      const app = new Hono();
      if (STACK === 'hono+faultline') {
        const { faultline } = await import('../../dist/adapters/hono.js');
        const fl = faultline();
        app.use(fl.middleware);
        app.onError(fl.onError);
        app.notFound(fl.notFound);
      }
      app.get('/', (c) => {
        if (boom) throw new Error('boom');
        return c.text(HELLO);
      });
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        process.stdout.write(`port ${info.port}\n`),
      );
      server.keepAliveTimeout = 65_000;
      return;
    }
    case 'koa':
    case 'koa+faultline': {
      const { default: Koa } = await import('koa');
      const app = new Koa();
      if (STACK === 'koa+faultline') {
        const { faultline } = await import('../../dist/adapters/koa.js');
        const fl = faultline();
        app.use(fl.middleware);
        app.on('error', fl.onError);
      }
      app.use((ctx) => {
        if (boom) throw new Error('boom');
        ctx.type = 'text/plain';
        ctx.body = HELLO;
      });
      listen(http.createServer(app.callback()));
      return;
    }
    default:
      throw new Error(`unknown STACK ${STACK}`);
  }
}

// A clean exit on SIGTERM lets --cpu-prof write its profile.
process.on('SIGTERM', () => process.exit(0));
await main();
