/**
 * faultline/fetch: a bare `(Request) => Response` handler, as Deno.serve, Bun.serve, workers and
 * @hono/node-server call it. Throws and rejections become error responses (deliver-fetch); a
 * streamed body can be watched so that a failure after the headers is recorded and still cuts
 * the response.
 */
import {
  cutNodeResponse,
  deliverFetch,
  envOf,
  type FetchPeer,
  fetchRequestInfo,
  incomingPeer,
  markStart,
  watchBody,
} from '../core/deliver-fetch.js';
import type { FaultlineOptions } from '../core/options.js';
import { Faultline } from '../core/pipeline.js';

/** A fetch-style handler; runtimes pass extra arguments (env, execution context, server). */
export type FetchHandler<A extends unknown[] = unknown[]> = (
  request: Request,
  ...rest: A
) => Response | Promise<Response>;

export type { FetchPeer };

/**
 * The `peer` hook for a handler served by @hono/node-server (`serve({ fetch })`), which passes
 * the Node request as `env.incoming`: remote address, local port and HTTP version, so the debug
 * gate can apply every check.
 * @example serve({ fetch: fl.handle(app, { peer: nodeServerPeer }) })
 */
export function nodeServerPeer(_request: Request, env?: unknown): FetchPeer | undefined {
  return incomingPeer(env);
}

/** Options of {@link FetchFaultline.handle}. */
export interface FetchHandleOptions<A extends unknown[]> {
  /**
   * The connection's remote address (or a {@link FetchPeer}), from the runtime's own arguments:
   * a fetch handler has no socket, so without this hook no request ever gets debug output.
   * Called only when a request fails; a throw counts as "unknown". Return a {@link FetchPeer}
   * with the local port and HTTP version when the runtime knows them: the gate then also refuses
   * HTTP/1.0 (nginx's default upstream protocol) and a Host port other than the server's.
   * @example @hono/node-server: nodeServerPeer
   * @example Deno: (request, info) => info.remoteAddr.hostname
   * @example Bun: (request, server) => server.requestIP(request)?.address
   */
  peer?: (request: Request, ...rest: A) => string | FetchPeer | undefined;
}

/** What {@link faultline} returns for fetch handlers. */
export interface FetchFaultline {
  /** Wraps a handler: what it throws or rejects with becomes an error `Response`. */
  handle<A extends unknown[]>(
    handler: FetchHandler<A>,
    options?: FetchHandleOptions<A>,
  ): (request: Request, ...rest: A) => Promise<Response>;
  /**
   * The error `Response` for `thrown`, for code that catches errors itself. `peer` is what the
   * runtime knows of the connection (see {@link FetchHandleOptions.peer}). Never throws.
   */
  fail(thrown: unknown, request: Request, peer?: string | FetchPeer): Response;
  /**
   * Watches a streamed response: a body that fails mid-stream is recorded (phase `stream`) and
   * errors, so the runtime cuts the response rather than ending it as if it were complete; a body
   * the runtime cancels (the client went away) is recorded once as 499. `remoteAddress`, when
   * the runtime tells it, goes into the record.
   */
  watch(response: Response, request: Request, remoteAddress?: string): Response;
  /** The underlying instance, e.g. to share it with other servers. */
  readonly faultline: Faultline;
}

/**
 * Creates faultline for fetch-style handlers. Pass options, or an existing instance.
 * @example
 * import { faultline } from 'faultline/fetch';
 * import { httpErrors } from 'faultline';
 * const fl = faultline();
 * export default {
 *   fetch: fl.handle(async (request) => {
 *     if (new URL(request.url).pathname !== '/') throw httpErrors.notFound();
 *     return new Response('hello');
 *   }),
 * };
 */
export function faultline(options?: FaultlineOptions | Faultline): FetchFaultline {
  const fl = options instanceof Faultline ? options : new Faultline(options);
  const fail = (thrown: unknown, request: Request, peer?: string | FetchPeer): Response =>
    deliverFetch(fl.respond(thrown, fetchRequestInfo(fl, request, peer)), request.method);
  return {
    handle(handler, options) {
      const peerOf = options?.peer;
      return async function faultlineFetch(request, ...rest) {
        markStart(request, rest[0]);
        try {
          return await handler(request, ...rest);
        } catch (err) {
          // The hook's peer, or what @hono/node-server tells of the connection (with the local
          // port and HTTP version, so the debug gate applies every check).
          let peer: string | FetchPeer | undefined;
          try {
            peer = peerOf === undefined ? incomingPeer(rest[0]) : peerOf(request, ...rest);
          } catch {
            peer = undefined;
          }
          return fail(err, request, peer);
        }
      };
    },
    fail,
    watch(response, request, remoteAddress) {
      const peer = () => remoteAddress ?? incomingPeer(envOf(request));
      return watchBody(
        response,
        (err) =>
          fl.report(fl.classify(err, { phase: 'stream' }), fetchRequestInfo(fl, request, peer())),
        // The runtime cancels the body when the client goes away: its 499, once.
        () =>
          fl.report(
            fl.classify(new DOMException('client closed request', 'AbortError'), {
              clientClosed: true,
              phase: 'abort',
            }),
            fetchRequestInfo(fl, request, peer()),
          ),
        () => cutNodeResponse(envOf(request)),
      );
    },
    faultline: fl,
  };
}
