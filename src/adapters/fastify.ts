/**
 * faultline/fastify: a Fastify 5 plugin that sets the error and not-found handlers. Responses go
 * out through Fastify's own reply (`reply.code().header().send()`), not the raw socket, so
 * `onSend`/`onResponse` hooks, compression and Fastify's access log see them like any other
 * reply. A reply that was already sent or hijacked is left to faultline/node, which breaks the
 * transport when headers are out; a route handler that throws after `reply.hijack()` is cut the
 * same way (routes registered after the plugin). Fastify's validation (400), content-type (415)
 * and `FST_ERR_*` errors are classified by the core. What Fastify answers before any plugin runs (Node's parser
 * errors, URLs its router cannot decode) is reachable only through constructor options:
 * `serverOptions` hands those to the same delivery.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClassifyContext } from '../core/classify.js';
import { isPreservedHeader, mergeVary, setReason } from '../core/deliver-node.js';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import type { FaultRequest } from '../core/pipeline.js';
import { requestLogger } from '../core/request-logger.js';
import { type ClientError, type NodeFaultline, faultline as nodeFaultline } from './node.js';

/** Constructor options for what Fastify answers before any plugin runs. */
export interface FaultlineServerOptions {
  /** Node's parser errors (malformed request, oversized headers, unknown method): 400/431/501. */
  readonly clientErrorHandler: (error: ClientError, socket: Socket) => void;
  /** The router's own errors (`FST_ERR_BAD_URL`, `FST_ERR_MAX_PARAM_LENGTH`), sent through reply. */
  readonly frameworkErrors: (
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) => void;
}

/** What only Fastify knows of a request, read when a record is written (also for its 499). */
function fastifyDetails(request: FastifyRequest) {
  return { route: request.routeOptions?.url, logger: request.log };
}

/** The plugin {@link faultline} returns: `app.register(plugin)`. */
export interface FastifyFaultline {
  (instance: FastifyInstance, options: unknown, done: (err?: Error) => void): void;
  /**
   * Spread into Fastify's constructor options: a plugin cannot reach Fastify's `clientError`
   * listener or its router's errors, which otherwise answer in Fastify's JSON without nosniff.
   */
  readonly serverOptions: FaultlineServerOptions;
  /** The underlying instance, e.g. to share it with other servers. */
  readonly faultline: NodeFaultline;
}

/**
 * Creates the faultline plugin for Fastify 5. Pass options, or an instance from `faultline/node`.
 * When Fastify has a logger, the fault record goes to `request.log`, so it carries Fastify's
 * `reqId`.
 * @example
 * import Fastify from 'fastify';
 * import { faultline } from 'faultline/fastify';
 * const fl = faultline();
 * const app = Fastify({ logger: true, ...fl.serverOptions });
 * await app.register(fl);
 * app.get('/', async () => { throw new Error('boom'); });
 * await app.listen({ port: 3000 });
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): FastifyFaultline {
  const fl = nodeFaultline(options);

  const info = (request: FastifyRequest): FaultRequest => {
    const base = fl.requestInfo(request.raw);
    return {
      ...base,
      route: request.routeOptions?.url ?? base.route,
      logger: requestLogger(fl, request.log) ?? base.logger,
    };
  };

  const send = (
    err: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    ctx?: ClassifyContext,
  ) => {
    if (reply.sent || reply.raw.headersSent) {
      // Hijacked or already answered: Fastify will not write again; the raw response is ours.
      fl.fail(err, request.raw, reply.raw, ctx);
      return reply;
    }
    const response = fl.respond(err, info(request), ctx);
    for (const name of Object.keys(reply.getHeaders())) {
      if (isPreservedHeader(name, fl.options.preserveHeaders)) continue;
      reply.removeHeader(name);
      reply.raw.removeHeader(name); // Set on the raw response: Fastify would still send it.
    }
    reply.header('vary', mergeVary(reply.getHeader('vary')));
    for (const [name, value] of response.headers) reply.header(name, value);
    setReason(reply.raw, response.status); // Fastify's writeHead keeps a reason already set.
    return reply.code(response.status).send(response.body);
  };

  const same = <T>(value: T): T => value;

  const plugin = function faultlinePlugin(
    instance: FastifyInstance,
    _options: unknown,
    done: (err?: Error) => void,
  ): void {
    // Client aborts become 499 records and `abortSignal(request.raw)` works, as with fl.handle.
    instance.addHook('onRequest', function faultlineTrack(request, reply, next) {
      fl.track(request.raw, reply.raw, fastifyDetails, request);
      next();
    });
    instance.setErrorHandler(function faultlineErrorHandler(err, request, reply) {
      return send(err, request, reply);
    });
    instance.setNotFoundHandler(function faultlineNotFound(request, reply) {
      return send(httpErrors.notFound(), request, reply, { phase: 'not_found' });
    });
    // A handler that throws after `reply.hijack()` (or after answering) never reaches the error
    // handler: Fastify leaves the connection open and logs the error itself, unscrubbed. Each
    // route's handler (those registered after this plugin) is wrapped so that such a failure is
    // recorded by faultline and the response cut, or answered when nothing was written yet.
    instance.addHook('onRoute', function faultlineGuardHijacked(route) {
      const handler = route.handler as (this: unknown, ...args: unknown[]) => unknown;
      if (typeof handler !== 'function') return;
      route.handler = function faultlineRouteHandler(
        this: unknown,
        request: FastifyRequest,
        reply: FastifyReply,
      ) {
        const settled = (err: unknown): undefined => {
          if (!reply.sent) throw err;
          fl.fail(err, request.raw, reply.raw);
          return undefined;
        };
        let result: unknown;
        try {
          result = handler.call(this, request, reply);
        } catch (err) {
          return settled(err);
        }
        // The reply itself is a thenable (`return reply.send(...)`): it never rejects with the
        // handler's error, and its `then` wants both callbacks.
        if (
          result !== reply &&
          result !== null &&
          typeof result === 'object' &&
          typeof (result as PromiseLike<unknown>).then === 'function'
        )
          return (result as PromiseLike<unknown>).then(same, settled);
        return result;
      } as typeof route.handler;
    });
    // A streamed payload that fails after the headers went out is recorded and cut here
    // (before the headers, Fastify calls the error handler instead).
    instance.addHook('onSend', function faultlineWatchStream(request, reply, payload, next) {
      const p = payload as { once?: unknown } | null;
      if (p !== null && typeof p === 'object' && typeof p.once === 'function') {
        (payload as NodeJS.EventEmitter).once('error', (err: unknown) => {
          if (!reply.raw.headersSent) return;
          // Recorded once (a 499 when the client left first), and cut: Fastify's own cut is
          // `res.destroy()`, which on HTTP/2 resets with NO_ERROR.
          fl.fail(err, request.raw, reply.raw, { phase: 'stream' });
        });
      }
      next(null, payload);
    });
    done();
  };
  // Like fastify-plugin: the handlers apply to the app that registers the plugin, not a child scope.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: 'faultline' });
  const serverOptions: FaultlineServerOptions = {
    clientErrorHandler: function faultlineClientError(err, socket) {
      fl.clientError(err, socket);
    },
    frameworkErrors: function faultlineFrameworkError(err, request, reply) {
      send(err, request, reply, { phase: 'parse' });
    },
  };
  return Object.assign(plugin, { serverOptions, faultline: fl });
}
