/**
 * faultline/fetch: a bare `(Request) => Response` handler, as Deno.serve, Bun.serve, workers and
 * @hono/node-server call it. Throws and rejections become error responses (deliver-fetch); a
 * streamed body can be watched so that a failure after the headers is recorded and still cuts
 * the response.
 */
import { deliverFetch, fetchRequestInfo, markStart, watchBody } from '../core/deliver-fetch.js';
import type { FaultlineOptions } from '../core/options.js';
import { Faultline } from '../core/pipeline.js';

/** A fetch-style handler; runtimes pass extra arguments (env, execution context, server). */
export type FetchHandler<A extends unknown[] = unknown[]> = (
  request: Request,
  ...rest: A
) => Response | Promise<Response>;

/** What {@link faultline} returns for fetch handlers. */
export interface FetchFaultline {
  /** Wraps a handler: what it throws or rejects with becomes an error `Response`. */
  handle<A extends unknown[]>(
    handler: FetchHandler<A>,
  ): (request: Request, ...rest: A) => Promise<Response>;
  /** The error `Response` for `thrown`, for code that catches errors itself. Never throws. */
  fail(thrown: unknown, request: Request, remoteAddress?: string): Response;
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

/** The peer address, where the runtime passes one: @hono/node-server's `env.incoming`. */
function remoteOf(env: unknown): string | undefined {
  try {
    const address = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)
      ?.incoming?.socket?.remoteAddress;
    return typeof address === 'string' ? address : undefined;
  } catch {
    return undefined; // A hostile env must not break the error response.
  }
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
  const fail = (thrown: unknown, request: Request, remoteAddress?: string): Response =>
    deliverFetch(fl.respond(thrown, fetchRequestInfo(fl, request, remoteAddress)), request.method);
  return {
    handle(handler) {
      return async function faultlineFetch(request, ...rest) {
        markStart(request);
        try {
          return await handler(request, ...rest);
        } catch (err) {
          return fail(err, request, remoteOf(rest[0]));
        }
      };
    },
    fail,
    watch(response, request, remoteAddress) {
      return watchBody(
        response,
        (err) =>
          fl.report(
            fl.classify(err, { phase: 'stream' }),
            fetchRequestInfo(fl, request, remoteAddress),
          ),
        // The runtime cancels the body when the client goes away: its 499, once.
        () =>
          fl.report(
            fl.classify(new DOMException('client closed request', 'AbortError'), {
              clientClosed: true,
              phase: 'abort',
            }),
            fetchRequestInfo(fl, request, remoteAddress),
          ),
      );
    },
    faultline: fl,
  };
}
