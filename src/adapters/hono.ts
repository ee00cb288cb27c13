/**
 * faultline/hono: Hono 4, on Node (@hono/node-server) and on Fetch-style runtimes. `onError` and
 * `notFound` render through the core into a web `Response` (deliver-fetch). An HTTPException that
 * carries its own `res` is answered with that response, as Hono does; without one it is
 * classified by the core like any other status-carrying error.
 */
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { StreamingApi } from 'hono/utils/stream';
import { readProperty } from '../core/classify.js';
import { deliverFetch, fetchRequestInfo } from '../core/deliver-fetch.js';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { type ErrorResponse, Faultline, type FaultRequest, LAST_RESORT } from '../core/pipeline.js';
import { isErrorStatus } from '../core/status.js';

/** What {@link faultline} returns for Hono. */
export interface HonoFaultline {
  /** `app.onError(fl.onError)`. */
  readonly onError: ErrorHandler;
  /** `app.notFound(fl.notFound)`. */
  readonly notFound: NotFoundHandler;
  /**
   * `app.use(fl.middleware)` first: Hono hands only `Error` instances to `onError` and lets
   * anything else thrown escape `app.fetch` (the runtime then answers in its own format).
   */
  readonly middleware: MiddlewareHandler;
  /**
   * The `onError` argument of Hono's `stream`/`streamText`/`streamSSE` helpers. Hono's default
   * ends a failed stream cleanly, so the client would take a truncated body for a complete one;
   * this records the failure and aborts the stream, so the runtime cuts the response.
   * @example
   * app.get('/feed', (c) => stream(c, async (s) => { ... }, fl.streamError(c)));
   */
  streamError(c: Context): (err: Error, stream: StreamingApi) => Promise<void>;
  /** The underlying instance, e.g. to share it with other servers. */
  readonly faultline: Faultline;
}

function requestInfo(fl: Faultline, c: Context): FaultRequest {
  // @hono/node-server puts the Node request in `c.env.incoming`; other runtimes have no peer here.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return fetchRequestInfo(fl, c.req.raw, env?.incoming?.socket?.remoteAddress);
}

/**
 * Takes the headers set so far off the context: Hono merges every header of `c.res` into the
 * response we return (an internal one included); deliver-fetch keeps only those that may survive.
 */
function takeHeaders(c: Context): Headers {
  const taken = new Headers(c.res.headers);
  // Forget the handler's response rather than empty it: setting ours then needs no merge (Hono
  // copies every old header into a rebuilt Response, a full undici Response per error).
  c.res = undefined;
  // The setter marks the context finalized; ours is not sent yet.
  c.finalized = false;
  return taken;
}

/**
 * Hono's HTTPException, also from a second copy of hono (it sets no `name` of its own, so the
 * class name is the mark). A thrown value may be a proxy whose every trap throws: each read goes
 * through the core's guarded read, and `instanceof` (a `getPrototypeOf` trap) is guarded too.
 */
function isHTTPException(err: object): boolean {
  try {
    if (err instanceof HTTPException) return true;
  } catch {
    return false;
  }
  return (
    readProperty(readProperty(err, 'constructor'), 'name') === 'HTTPException' &&
    typeof readProperty(err, 'getResponse') === 'function'
  );
}

/**
 * The response an HTTPException was built with (`new HTTPException(401, { res })`), which Hono's
 * contract is to send as it is; undefined for anything else, or when that response cannot be
 * had or carries no error status (the core then answers like for any other error).
 */
function ownResponse(err: unknown): Response | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  try {
    if (!(readProperty(err, 'res') instanceof Response) || !isHTTPException(err)) return undefined;
    const res = (readProperty(err, 'getResponse') as () => unknown).call(err);
    return res instanceof Response && isErrorStatus(res.status) ? res : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates faultline for Hono 4. Pass options, or an existing instance (e.g. from `faultline/node`).
 * @example
 * import { Hono } from 'hono';
 * import { faultline } from 'faultline/hono';
 * const fl = faultline();
 * const app = new Hono();
 * app.use(fl.middleware);
 * app.get('/', () => { throw new Error('boom'); });
 * app.onError(fl.onError);
 * app.notFound(fl.notFound);
 * export default app;
 */
export function faultline(options?: FaultlineOptions | Faultline): HonoFaultline {
  const fl = options instanceof Faultline ? options : new Faultline(options);
  // HTTPException without a response of its own is classified by the core (its status, and its
  // message exposed below 500, since Hono writes it for the client). Never throws: a throw from
  // here would reject `app.fetch`, which takes the process down on @hono/node-server.
  const onError = function faultlineOnError(err: unknown, c: Context): Response {
    let info: FaultRequest | undefined;
    try {
      info = requestInfo(fl, c);
      // An HTTPException built with its own response: Hono's contract is to send exactly that.
      const own = ownResponse(err);
      if (own !== undefined) {
        fl.report(fl.classify(err), info);
        return own;
      }
      return answer(fl.respond(err, info), c);
    } catch {
      return deliverFetch(LAST_RESORT, info?.method ?? 'GET');
    }
  };
  const answer = (response: ErrorResponse, c: Context): Response =>
    // The raw method: Hono routes HEAD to GET handlers, but the answer must stay bodiless.
    deliverFetch(response, c.req.raw.method, takeHeaders(c), fl.options.preserveHeaders);
  return {
    onError,
    middleware: async function faultlineMiddleware(c, next) {
      try {
        await next();
      } catch (err) {
        c.res = onError(err, c);
      }
    },
    notFound: function faultlineNotFound(c) {
      const info = requestInfo(fl, c);
      return answer(fl.respond(httpErrors.notFound(), info, { phase: 'not_found' }), c);
    },
    streamError(c) {
      return async function faultlineStreamError(err, stream) {
        fl.report(fl.classify(err, { phase: 'stream' }), requestInfo(fl, c));
        // `writer` is private in Hono's types but stable at runtime; aborting it errors the body.
        const writer = (stream as unknown as { writer?: WritableStreamDefaultWriter }).writer;
        await writer
          ?.abort(new Error('faultline: the response body failed mid-stream'))
          .catch(() => {});
      };
    },
    faultline: fl,
  };
}
