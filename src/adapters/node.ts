/**
 * faultline/node: node:http (and node:http2 compatibility API) integration. Translates only:
 * request/response in, pipeline and delivery from the core.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClassifyContext } from '../core/classify.js';
import {
  breakResponse,
  deliverLastResort,
  deliverNode,
  type NodeRequest,
  type NodeResponse,
} from '../core/deliver-node.js';
import { HttpError } from '../core/http-error.js';
import { errorContext, internalRedirect } from '../core/internal-redirect.js';
import type { FaultlineOptions } from '../core/options.js';
import { Faultline, type FaultRequest, flushLogger, LAST_RESORT } from '../core/pipeline.js';
import { requestLogger } from '../core/request-logger.js';
import { ProcessGuard, type ProcessGuardOptions } from '../guards/process-guard.js';
import { requestContext } from '../guards/request-context.js';
import {
  type LifecycleHooks,
  settledAs,
  silence,
  startedAt,
  trackRequest,
} from '../guards/request-lifecycle.js';

export type { NodeRequest, NodeResponse } from '../core/deliver-node.js';
export { type ErrorContext, errorContext } from '../core/internal-redirect.js';
export { ProcessGuard, type ProcessGuardOptions } from '../guards/process-guard.js';
export { abortSignal, setDeadline } from '../guards/request-lifecycle.js';

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
 * The error of a server's `'clientError'` event: the parser's code and the bytes it could not
 * parse (a Buffer from node:http; typed loosely, as frameworks declare it differently).
 */
export type ClientError = Error & { code?: string; rawPacket?: unknown };

/** The socket of a `'clientError'` event (a `net.Socket`; typed `Duplex` by node:http). */
export type ClientSocket = Duplex & { readonly remoteAddress?: string | undefined };

/** Node's parser error codes and the status each answers with. */
const PARSE_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_INVALID_METHOD: 501,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** faultline for node:http servers. Create once at startup. */
export class NodeFaultline extends Faultline {
  /** Request data for the core, from a Node request (with pino-http's `req.log`, if any). */
  requestInfo(req: NodeRequest): FaultRequest {
    return {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      remoteAddress: req.socket?.remoteAddress,
      requestId: this.requestId(req.headers),
      startTime: startedAt(req),
      logger: requestLogger(this, (req as { log?: unknown }).log),
    };
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
      const info = this.requestInfo(req);
      if (res.headersSent || res.writableEnded) {
        this.report(this.classify(thrown, { ...ctx, phase: 'stream' }), info);
        if (!res.writableEnded) breakResponse(res);
        return;
      }
      // HTTP/2 compatibility: `req.socket.destroyed` reflects the request's own stream.
      const clientClosed = req.socket?.destroyed === true;
      if (clientClosed) {
        // Nothing can be written to a dead socket; the failure is still recorded (as 499).
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
   * request gets its 500, the servers drain within `graceMs`, the log is flushed and the process
   * exits 1; SIGTERM/SIGINT drain the same way and exit 0. One per process; explicit by design.
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
        flush: () => flushLogger(this.options.logger),
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
    try {
      const busy = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      if (err.code === 'ECONNRESET' || !socket.writable || busy?.headersSent) {
        socket.destroy();
        return;
      }
      const status = PARSE_STATUS[err.code ?? ''] ?? 400;
      const info: FaultRequest = {
        method: '-',
        url: '-',
        headers: { accept: acceptFromRaw(err.rawPacket) },
        remoteAddress: socket.remoteAddress,
        requestId: undefined,
      };
      const cause = new HttpError(status, undefined, { cause: err, expose: false });
      const response = this.respond(cause, info, { phase: 'parse' });
      let head = `HTTP/1.1 ${response.status} ${response.fault?.public.title ?? 'Error'}\r\nconnection: close\r\n`;
      for (const [name, value] of response.headers) head += `${name}: ${value}\r\n`;
      head += `vary: Accept\r\ncontent-length: ${Buffer.byteLength(response.body)}\r\n\r\n`;
      socket.end(head + response.body);
    } catch {
      socket.destroy();
    }
  }
}

/** Reads the Accept header from the raw bytes of a request Node could not parse. */
function acceptFromRaw(raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  const text = raw.subarray(0, 8192).toString('latin1');
  const m = /\r\naccept:[ \t]*([^\r\n]{0,512})/i.exec(text);
  return m?.[1]?.trim();
}

/**
 * Creates faultline for node:http and node:http2 (compatibility API). Options are validated now;
 * an existing instance is returned as is (one configuration shared across servers).
 * @example
 * import http from 'node:http';
 * import { faultline } from 'faultline/node';
 * const fl = faultline();
 * const server = fl.attach(http.createServer(fl.handle(app)));
 * // HTTP/2, with or without TLS:
 * http2.createSecureServer({ key, cert, allowHTTP1: true }, fl.handle(app));
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): NodeFaultline {
  return options instanceof NodeFaultline ? options : new NodeFaultline(options);
}
