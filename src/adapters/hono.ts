/**
 * faultline/hono: Hono 4, on Node (@hono/node-server) and on Fetch-style runtimes. `onError` and
 * `notFound` render through the core into a web `Response` (deliver-fetch). An HTTPException that
 * carries its own `res` is answered with that response, as Hono does; without one it is
 * classified by the core like any other status-carrying error.
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { StreamingApi } from 'hono/utils/stream';
import { deliverFetch, fetchRequestInfo } from '../core/deliver-fetch.js';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { Faultline, type FaultRequest } from '../core/pipeline.js';

/** What {@link faultline} returns for Hono. */
export interface HonoFaultline {
  /** `app.onError(fl.onError)`. */
  readonly onError: ErrorHandler;
  /** `app.notFound(fl.notFound)`. */
  readonly notFound: NotFoundHandler;
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

/** An HTTPException's own response, when it was given one (`new HTTPException(401, { res })`). */
function ownResponse(err: unknown): Response | undefined {
  const e = err as { name?: unknown; res?: unknown; getResponse?: unknown } | null;
  if (e?.name !== 'HTTPException' || !(e.res instanceof Response)) return undefined;
  return typeof e.getResponse === 'function' ? (e.getResponse() as Response) : e.res;
}

/**
 * Creates faultline for Hono 4. Pass options, or an existing instance (e.g. from `faultline/node`).
 * @example
 * import { Hono } from 'hono';
 * import { faultline } from 'faultline/hono';
 * const fl = faultline();
 * const app = new Hono();
 * app.get('/', () => { throw new Error('boom'); });
 * app.onError(fl.onError);
 * app.notFound(fl.notFound);
 * export default app;
 */
export function faultline(options?: FaultlineOptions | Faultline): HonoFaultline {
  const fl = options instanceof Faultline ? options : new Faultline(options);
  return {
    onError: function faultlineOnError(err, c) {
      const info = requestInfo(fl, c);
      const own = ownResponse(err);
      if (own !== undefined) {
        fl.report(fl.classify(err), info);
        return own;
      }
      // The raw method: Hono routes HEAD to GET handlers, but the answer must stay bodiless.
      return deliverFetch(fl.respond(err, info), c.req.raw.method);
    },
    notFound: function faultlineNotFound(c) {
      const response = fl.respond(httpErrors.notFound(), requestInfo(fl, c), {
        phase: 'not_found',
      });
      return deliverFetch(response, c.req.raw.method);
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
