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
import {
  cutNodeResponse,
  deliverFetch,
  type FetchPeer,
  fetchRequestInfo,
  incomingPeer,
  markStart,
} from '../core/deliver-fetch.js';
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

/** The Node objects @hono/node-server passes as `c.env`; other runtimes have none. */
interface NodeEnv {
  readonly incoming?: { readonly socket?: { readonly remoteAddress?: string } };
  readonly outgoing?: {
    readonly writableFinished?: boolean;
    once?(event: 'close', listener: () => void): unknown;
  };
}

/**
 * The route template Hono matched for the handler that ran (`/orders/:id`, a `basePath` or
 * `app.route()` mount included). `matchedRoutes`/`routeIndex` exist in every Hono 4 release.
 */
function honoRoute(c: Context): string | undefined {
  try {
    const req = c.req as unknown as {
      matchedRoutes?: Array<{ path?: unknown }>;
      routeIndex?: number;
    };
    const path = req.matchedRoutes?.[req.routeIndex ?? -1]?.path;
    return typeof path === 'string' && path !== '' ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Request data for the core. The peer: @hono/node-server's Node request in `c.env.incoming`
 * (address, local port, HTTP version, so the debug gate applies every check); other runtimes
 * have none here, so no debug output there.
 */
function requestInfo(
  fl: Faultline,
  c: Context,
  route: string | undefined,
  peer: string | FetchPeer | undefined = incomingPeer(c.env),
): FaultRequest {
  const info = fetchRequestInfo(fl, c.req.raw, peer);
  return route === undefined ? info : { ...info, route };
}

/** Set on a context whose outcome has its record (499 or a stream failure): one record each. */
const RECORDED = Symbol('faultline.recorded');
type Marked = { [RECORDED]?: true };

/** Marks `c` recorded; false when it was already. */
function settle(c: Context): boolean {
  const m = c as unknown as Marked;
  if (m[RECORDED]) return false;
  m[RECORDED] = true;
  return true;
}

/** The 499 record of a client that left before the response was complete. */
function clientLeft(
  fl: Faultline,
  c: Context,
  route: string | undefined,
  remoteAddress?: string,
): void {
  if (!settle(c)) return;
  const abort = new DOMException('client closed request', 'AbortError');
  fl.report(
    fl.classify(abort, { clientClosed: true, phase: 'abort' }),
    requestInfo(fl, c, route ?? honoRoute(c), remoteAddress),
  );
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
      info = requestInfo(fl, c, honoRoute(c));
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
      markStart(c.req.raw);
      // On @hono/node-server: a response closed before it finished is a client abort (499).
      const env = c.env as NodeEnv | undefined;
      const outgoing = env?.outgoing;
      if (typeof outgoing?.once === 'function') {
        // Read now: after the client left, its socket can no longer tell.
        const remote = env?.incoming?.socket?.remoteAddress;
        outgoing.once('close', () => {
          if (outgoing.writableFinished !== true) clientLeft(fl, c, route, remote);
        });
      }
      let route: string | undefined;
      try {
        await next();
      } catch (err) {
        c.res = onError(err, c);
      }
      // The handler's route, read while Hono's route index still points at it.
      route = honoRoute(c);
    },
    notFound: function faultlineNotFound(c) {
      const info = requestInfo(fl, c, undefined);
      return answer(fl.respond(httpErrors.notFound(), info, { phase: 'not_found' }), c);
    },
    streamError(c) {
      const route = honoRoute(c);
      return async function faultlineStreamError(err, stream) {
        // The client left first (the runtime cancelled the body): its 499, once; what failed
        // afterwards is the consequence, not a server error.
        if (stream.aborted) return clientLeft(fl, c, route);
        if (!settle(c)) return;
        fl.report(fl.classify(err, { phase: 'stream' }), requestInfo(fl, c, route));
        // Under @hono/node-server: cut the Node response first, or the server prints a stack.
        // Settled above, so the close this cut causes is not taken for the client's.
        await cutNodeResponse(c.env);
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
