/**
 * faultline/koa: Koa 3. A middleware installed first catches what the downstream throws
 * (`ctx.throw` included: http-errors, classified by the core) and answers Koa's unmatched 404;
 * it also takes over the request's `ctx.onerror`, which Koa calls when a `ctx.body` stream fails,
 * so a stream failure breaks the response instead of getting Koa's own error page. `onError`,
 * for `app.on('error')`, replaces Koa's default listener (which prints unscrubbed stacks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { type NodeFaultline, faultline as nodeFaultline } from './node.js';

/** The parts of Koa's context faultline uses. */
export interface KoaContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  respond?: boolean;
  status: number;
  body: unknown;
  onerror: (err: Error) => void;
  /** The route template @koa/router matched (`router.get('/orders/:id', …)`), prefix included. */
  readonly _matchedRoute?: string | RegExp | undefined;
}

/** @koa/router's matched route template, when a router matched one. */
function koaDetails(ctx: KoaContext) {
  const route = ctx._matchedRoute;
  return { route: typeof route === 'string' ? route : undefined };
}

/** What {@link faultline} returns for Koa. */
export interface KoaFaultline {
  /** `app.use(fl.middleware)` before every other middleware. */
  readonly middleware: (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void>;
  /** `app.on('error', fl.onError)`: records errors Koa emits outside the middleware. */
  readonly onError: (err: unknown, ctx?: KoaContext) => void;
  /** The underlying instance, e.g. to share it with other servers. */
  readonly faultline: NodeFaultline;
}

/**
 * Creates faultline for Koa 3. Pass options, or an instance from `faultline/node`.
 * @example
 * import Koa from 'koa';
 * import { faultline } from 'faultline/koa';
 * const fl = faultline();
 * const app = new Koa();
 * app.use(fl.middleware);
 * app.on('error', fl.onError);
 * app.use((ctx) => { ctx.throw(403, 'not yours'); });
 * app.listen(3000);
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): KoaFaultline {
  const fl = nodeFaultline(options);
  // Koa must not write after faultline answered (or cut) the response.
  const fail = (err: unknown, ctx: KoaContext, phase?: 'not_found') => {
    ctx.respond = false;
    fl.fail(err, ctx.req, ctx.res, phase && { phase });
  };
  return {
    middleware: async function faultlineMiddleware(ctx, next) {
      // Client aborts become 499 records and `abortSignal(ctx.req)` works, as with fl.handle.
      fl.track(ctx.req, ctx.res, koaDetails, ctx);
      ctx.onerror = function faultlineOnError(err) {
        if (err != null) fail(err, ctx);
      };
      try {
        await next();
      } catch (err) {
        fail(err, ctx);
        return;
      }
      // Koa's default for a request no middleware answered: status 404 and no body.
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) {
        fail(httpErrors.notFound(), ctx, 'not_found');
      }
    },
    onError: function faultlineAppError(err, ctx) {
      if (ctx?.res.headersSent) fl.fail(err, ctx.req, ctx.res);
      else fl.report(fl.classify(err), ctx && fl.requestInfo(ctx.req));
    },
    faultline: fl,
  };
}
