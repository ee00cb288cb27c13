/**
 * faultline/node: node:http (and node:http2 compatibility API) integration. Translates only:
 * request/response in, pipeline and delivery from the core.
 */
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ClassifyContext } from '../core/classify.js';
import {
  breakResponse,
  deliverNode,
  type NodeRequest,
  type NodeResponse,
} from '../core/deliver-node.js';
import { HttpError } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { Faultline, type FaultRequest, LAST_RESORT } from '../core/pipeline.js';
import { requestLogger } from '../core/request-logger.js';

export type { NodeRequest, NodeResponse } from '../core/deliver-node.js';

/** A request handler as node:http calls it; it may return a promise. */
export type NodeHandler<
  Req extends NodeRequest = IncomingMessage,
  Res extends NodeResponse = NodeResponse,
> = (req: Req, res: Res) => unknown;

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
      logger: requestLogger(this, (req as { log?: unknown }).log),
    };
  }

  /**
   * Answers `res` for `thrown`: the error response when headers were not sent yet, a cut
   * connection when they were (HTTP/2: the stream is reset with INTERNAL_ERROR). `ctx.phase`
   * names where the failure happened, e.g. `'not_found'` for a router's fallback. Never throws.
   */
  fail(thrown: unknown, req: NodeRequest, res: NodeResponse, ctx?: ClassifyContext): void {
    try {
      const info = this.requestInfo(req);
      if (res.headersSent || res.writableEnded) {
        this.report(this.classify(thrown, { phase: 'stream' }), info);
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
      deliverNode(req, res, this.respond(thrown, info, ctx), this.options.preserveHeaders);
    } catch {
      try {
        if (res.headersSent) breakResponse(res);
        else deliverNode(req, res, LAST_RESORT, new Set());
      } catch {
        breakResponse(res);
      }
    }
  }

  /**
   * Wraps a handler: sync throws and rejected promises become error responses.
   * @example
   * const fl = faultline();
   * http.createServer(fl.handle(async (req, res) => { throw new Error('boom'); })).listen(3000);
   */
  handle<Req extends NodeRequest = IncomingMessage, Res extends NodeResponse = NodeResponse>(
    handler: NodeHandler<Req, Res>,
  ): (req: Req, res: Res) => void {
    const fail = (err: unknown, req: Req, res: Res): void => this.fail(err, req, res);
    return function faultlineHandler(req, res) {
      let result: unknown;
      try {
        result = handler(req, res);
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
    server.on(
      'clientError',
      (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) =>
        this.#clientError(err, socket),
    );
    return server;
  }

  #clientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
    try {
      const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
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
function acceptFromRaw(raw: Buffer | undefined): string | undefined {
  if (!raw) return undefined;
  const text = raw.subarray(0, 8192).toString('latin1');
  const m = /\r\naccept:[ \t]*([^\r\n]{0,512})/i.exec(text);
  return m?.[1]?.trim();
}

/**
 * Creates faultline for node:http and node:http2 (compatibility API). Options are validated now.
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
