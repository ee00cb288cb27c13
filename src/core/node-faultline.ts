/**
 * node-faultline: faultline on Node's request/response objects (node:http, and node:http2's
 * compatibility API): the error path (answer, cut, or internal redirect), the request lifecycle
 * guards and the process guard. `faultline/node` and the Node-based framework adapters use it.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import {
  type DrainReport,
  ProcessGuard,
  type ProcessGuardOptions,
} from '../guards/process-guard.js';
import { requestContext } from '../guards/request-context.js';
import {
  brokenBy,
  type DetailsReader,
  describeRequest,
  detailsOf,
  type LifecycleHooks,
  markRecorded,
  remoteAddressOf,
  settledAs,
  silence,
  startedAt,
  trackRequest,
} from '../guards/request-lifecycle.js';
import type { ClassifyContext } from './classify.js';
import {
  breakResponse,
  deliverLastResort,
  deliverNode,
  type NodeRequest,
  type NodeResponse,
} from './deliver-node.js';
import { HttpError } from './http-error.js';
import { errorContext, internalRedirect } from './internal-redirect.js';
import { answerParseError, type ClientError, type ClientSocket } from './parse-error.js';
import { Faultline, type FaultRequest, LAST_RESORT } from './pipeline.js';
import type { LoggerLike } from './report.js';
import { requestLogger } from './request-logger.js';

/** A request handler as node:http calls it; it may return a promise. */
export type NodeHandler<
  Req extends NodeRequest = IncomingMessage,
  Res extends NodeResponse = ServerResponse,
> = (req: Req, res: Res) => unknown;

/** Options of {@link NodeFaultline.fail}. */
export interface FailOptions extends ClassifyContext {
  /** Re-dispatches the request for internal-route error documents (the app's handler). */
  dispatch?: (req: NodeRequest, res: NodeResponse) => unknown;
}

/**
 * The process guard's drain line: at `info`, or `error` when requests were lost. A search for
 * `"shutdown"` finds it. Never throws.
 */
function logDrain(logger: LoggerLike | undefined, drain: DrainReport): void {
  if (logger === undefined) return;
  try {
    const level = drain.lost > 0 ? 'error' : 'info';
    logger[level](
      { shutdown: drain },
      `shutdown (${drain.reason}): ${drain.inFlight} in flight, ${drain.drained} drained, ${drain.lost} lost`,
    );
  } catch {
    // A broken logger must not stop the exit.
  }
}

/** Reads a router's route template off a Node request (e.g. Express's `req.route`). */
export type RouteReader = (req: NodeRequest) => string | undefined;

/** faultline for node:http servers. Create once at startup. */
export class NodeFaultline extends Faultline {
  readonly #routeReaders: RouteReader[] = [];

  /**
   * Request data for the core, from a Node request: what the adapter described for it (route,
   * framework logger), else the registered route readers and pino-http's `req.log`.
   */
  requestInfo(req: NodeRequest): FaultRequest {
    const details = detailsOf(req);
    return {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: remoteAddressOf(req) ?? req.socket?.remoteAddress,
      localPort: req.socket?.localPort,
      httpVersion: req.httpVersion,
      requestId: this.requestId(req.headers),
      route: details?.route ?? this.#route(req),
      startTime: startedAt(req),
      logger:
        requestLogger(this, details?.logger) ?? requestLogger(this, (req as { log?: unknown }).log),
    };
  }

  /**
   * Adds a route reader, for routers whose template is on the Node request itself (Express sets
   * `req.route`); used by adapters. The first reader that answers wins.
   */
  addRouteReader(reader: RouteReader): void {
    if (!this.#routeReaders.includes(reader)) this.#routeReaders.push(reader);
  }

  #route(req: NodeRequest): string | undefined {
    for (const read of this.#routeReaders) {
      try {
        const route = read(req);
        if (typeof route === 'string' && route !== '') return route;
      } catch {
        // A hostile request object: the record goes without a route.
      }
    }
    return undefined;
  }

  /**
   * Starts the request lifecycle for a framework that owns the server's request handler (a
   * Fastify hook, a Koa middleware): client aborts are recorded as 499, and `abortSignal(req)`
   * works. `details(source)` gives the route and logger when a record is written. A request already
   * tracked (the app is also wrapped by {@link handle}) is tracked once.
   */
  track<T>(req: NodeRequest, res: NodeResponse, details?: DetailsReader<T>, source?: T): void {
    trackRequest(req, res, undefined, this.#hooks);
    if (details !== undefined) describeRequest(req, details, source as T);
  }

  #guard: ProcessGuard | undefined;
  readonly #hooks: LifecycleHooks = {
    onDeadline: (req, res) => {
      const { status, retryAfter } = this.options.deadline ?? { status: 503, retryAfter: 5 };
      const err = new HttpError(status, 'request deadline exceeded', {
        headers: { 'retry-after': retryAfter },
      });
      this.#answer(err, req, res, { phase: 'deadline' });
      silence(res);
    },
    onClientAbort: (req) => {
      const abort = new DOMException('client closed request', 'AbortError');
      this.report(
        this.classify(abort, { clientClosed: true, phase: 'abort' }),
        this.requestInfo(req),
      );
    },
    onBroken: (req, _res, err) => {
      this.report(this.classify(err, { phase: 'stream' }), this.requestInfo(req));
    },
    onDone: (_req, res) => this.#guard?.inFlight.delete(res),
  };

  /**
   * Answers `res` for `thrown`: the error response when headers were not sent yet, a cut
   * connection when they were (HTTP/2: the stream is reset with INTERNAL_ERROR). `options.phase`
   * names where the failure happened (e.g. `'not_found'` for a router's fallback);
   * `options.dispatch` serves internal-route error documents. Never throws. A request already
   * answered by its deadline, or whose client left (recorded as 499), is not answered again.
   */
  fail(thrown: unknown, req: NodeRequest, res: NodeResponse, options: FailOptions = {}): void {
    if (settledAs(req) !== undefined) return;
    const { dispatch, ...ctx } = options;
    this.#answer(thrown, req, res, ctx, dispatch);
  }

  #answer(
    thrown: unknown,
    req: NodeRequest,
    res: NodeResponse,
    ctx: ClassifyContext,
    dispatch?: (req: NodeRequest, res: NodeResponse) => unknown,
  ): void {
    try {
      let info = this.requestInfo(req);
      // Nothing answered the request: a route the router had matched for another method (Express
      // keeps `req.route` for a HEAD to a POST-only path) is not the request's route.
      if (ctx.phase === 'not_found' && info.route !== undefined)
        info = { ...info, route: undefined };
      // HTTP/2 compatibility: `req.socket.destroyed` reflects the request's own stream.
      // A response the framework destroyed with an error was not closed by the client.
      const clientClosed = req.socket?.destroyed === true && brokenBy(res) === undefined;
      if (res.headersSent || res.writableEnded) {
        if (clientClosed) {
          // The client left first (an untracked request: nothing recorded its 499 yet); what
          // failed afterwards is the consequence, not a server error.
          markRecorded(req);
          this.report(this.classify(thrown, { ...ctx, clientClosed, phase: 'abort' }), info);
          return;
        }
        // Before the cut: the close that follows is ours, not a client abort.
        markRecorded(req);
        this.report(this.classify(thrown, { ...ctx, phase: 'stream' }), info);
        if (!res.writableEnded) breakResponse(res);
        return;
      }
      if (clientClosed) {
        // Nothing can be written to a dead socket; the failure is still recorded (as 499), once.
        markRecorded(req);
        this.report(this.classify(thrown, { ...ctx, clientClosed }), info);
        return;
      }
      // Inside an error route already: no second error document (recursive_error_pages off).
      const nested = errorContext(req) !== undefined;
      const response = this.respond(thrown, info, ctx, { documents: !nested });
      const keep = this.options.preserveHeaders;
      if (response.route !== undefined && dispatch !== undefined && response.fault !== undefined) {
        const fault = response.fault;
        internalRedirect(
          req,
          res,
          { ...response, route: response.route },
          keep,
          dispatch,
          (routeError) => {
            this.report(this.classify(routeError), info);
            deliverNode(req, res, this.render(fault, info, { documents: false }), keep);
          },
        );
        return;
      }
      deliverNode(req, res, response, keep);
    } catch {
      try {
        deliverLastResort(res, LAST_RESORT);
      } catch {
        breakResponse(res);
      }
    }
  }

  /**
   * Installs the process guard: on an uncaught exception or unhandled rejection the failing
   * request gets its 500, the servers drain within `graceMs`, one line records the drain, pending
   * storm summaries are written ({@link flush}), the log is flushed and the process exits 1;
   * SIGTERM/SIGINT drain the same way and exit 0. One per process; explicit by design.
   * @example
   * const fl = faultline();
   * const server = fl.attach(http.createServer(fl.handle(app))).listen(3000);
   * fl.guardProcess({ servers: server, graceMs: 10_000 });
   */
  guardProcess(options: ProcessGuardOptions): ProcessGuard {
    this.#guard?.uninstall();
    this.#guard = new ProcessGuard(
      {
        failRequest: (err, { req, res }) =>
          this.#answer(err, req as NodeRequest, res, { phase: 'process' }),
        reportProcessFault: (err) =>
          this.report(this.classify(err, { phase: 'process' }), undefined),
        logDrain: (drain) => logDrain(this.options.logger, drain),
        flush: () => this.flush(),
      },
      options,
    );
    return this.#guard;
  }

  /**
   * Wraps a handler: sync throws and rejected promises become error responses.
   * @example
   * const fl = faultline();
   * http.createServer(fl.handle(async (req, res) => { throw new Error('boom'); })).listen(3000);
   */
  handle<Req extends NodeRequest = IncomingMessage, Res extends NodeResponse = ServerResponse>(
    handler: NodeHandler<Req, Res>,
  ): (req: Req, res: Res) => void {
    const dispatch = handler as (req: NodeRequest, res: NodeResponse) => unknown;
    const fail = (err: unknown, req: Req, res: Res): void => this.fail(err, req, res, { dispatch });
    const deadlineMs = this.options.deadline?.ms;
    const hooks = this.#hooks;
    const guarded = (): ProcessGuard | undefined => this.#guard;
    return function faultlineHandler(req, res) {
      const guard = guarded();
      if (guard?.draining) {
        // Shutting down: a request on a kept-alive socket is refused and the socket closed.
        if ('shouldKeepAlive' in res) (res as { shouldKeepAlive: boolean }).shouldKeepAlive = false;
        fail(new HttpError(503, 'shutting down', { headers: { 'retry-after': 1 } }), req, res);
        return;
      }
      trackRequest(req, res, deadlineMs, hooks);
      let result: unknown;
      try {
        if (guard === undefined) result = handler(req, res);
        else {
          guard.inFlight.add(res);
          result = requestContext.run({ req, res }, handler, req, res);
        }
      } catch (err) {
        fail(err, req, res);
        return;
      }
      if (
        result !== null &&
        typeof result === 'object' &&
        typeof (result as Promise<unknown>).then === 'function'
      ) {
        (result as Promise<unknown>).then(undefined, (err: unknown) => fail(err, req, res));
      }
    };
  }

  /**
   * Makes the server answer Node's parser errors in faultline's format: 400 for malformed
   * requests, 431 for oversized headers, 501 for unknown methods, 408 for request timeouts.
   * Returns the server.
   */
  attach<S extends HttpServer>(server: S): S {
    server.on('clientError', (err: ClientError, socket: ClientSocket) =>
      this.clientError(err, socket),
    );
    return server;
  }

  /**
   * Answers one of Node's parser errors on its socket, as {@link attach} does: for servers whose
   * framework owns the `'clientError'` listener (Fastify's `clientErrorHandler` option). Never
   * throws; a socket that cannot be answered is destroyed.
   * @example
   * const app = Fastify({ clientErrorHandler: (err, socket) => fl.clientError(err, socket) });
   */
  clientError(err: ClientError, socket: ClientSocket): void {
    answerParseError(this, err, socket);
  }
}
