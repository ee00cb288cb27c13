/**
 * faultline/express: Express 4 and 5. An error middleware (installed last) and a not-found
 * handler (installed after the routes), both delivering through faultline/node, so Express
 * answers exactly like a bare node:http server. body-parser's 400/413/415 errors carry
 * `status` + `expose` and are classified by the core; nothing here inspects them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { routeKey } from '../core/storm.js';
import {
  type FailOptions,
  type NodeFaultline,
  type NodeRequest,
  faultline as nodeFaultline,
} from './node.js';

/** Express's `next`. */
export type ExpressNext = (err?: unknown) => void;

/** What {@link faultline} returns for Express. */
export interface ExpressFaultline {
  /** Not-found handler: `app.use(fl.notFound)` after every route. Answers 404 in house format. */
  readonly notFound: (req: IncomingMessage, res: ServerResponse, next: ExpressNext) => void;
  /** Error middleware: `app.use(fl.errorHandler)` last. Ends every request it receives. */
  readonly errorHandler: (
    err: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    next: ExpressNext,
  ) => void;
  /** The underlying instance, e.g. to share it with other servers. */
  readonly faultline: NodeFaultline;
}

/** The Express app (`req.app`), which serves internal-route error documents (`/50x.html`). */
function appOf(req: IncomingMessage): FailOptions {
  const app = (req as { app?: unknown }).app;
  return typeof app === 'function' ? { dispatch: app as NonNullable<FailOptions['dispatch']> } : {};
}

/**
 * Express's route template: the matched route's path (`req.route.path`) under the router's mount
 * path. Express restores `req.baseUrl` when an error leaves a mounted router, so at the app's
 * error handler the mount is recovered from `req.originalUrl`: the segments before the route's
 * own (ids in it masked as storm grouping does). Undefined before a route matched (not found).
 */
function expressRoute(req: NodeRequest): string | undefined {
  const r = req as { route?: { path?: unknown }; baseUrl?: unknown; originalUrl?: unknown };
  const path = r.route?.path;
  if (typeof path !== 'string') return undefined;
  let base = typeof r.baseUrl === 'string' ? r.baseUrl : '';
  const original = typeof r.originalUrl === 'string' ? r.originalUrl : req.url;
  if (base === '' && original !== undefined && /^[^*?()[\]]*$/.test(path)) {
    const own = path.split('/').filter(Boolean).length;
    const segments = (original.split('?')[0] ?? '').split('/').filter(Boolean);
    if (segments.length > own)
      base = routeKey(undefined, `/${segments.slice(0, -own || undefined).join('/')}`);
  }
  if (base === '') return path;
  return path === '/' ? base : base + path;
}

/**
 * Creates faultline for Express (4 or 5). Pass options, or an instance from `faultline/node`.
 * A pino-http `req.log` is reused for the fault record, so it carries pino-http's request id.
 * @example
 * import express from 'express';
 * import { faultline } from 'faultline/express';
 * const fl = faultline();
 * const app = express();
 * app.get('/', () => { throw new Error('boom'); });
 * app.use(fl.notFound);
 * app.use(fl.errorHandler);
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): ExpressFaultline {
  const fl = nodeFaultline(options);
  fl.addRouteReader(expressRoute);
  return {
    // Named functions: stack traces and Express's router show which middleware ran.
    notFound: function faultlineNotFound(req, res) {
      fl.fail(httpErrors.notFound(), req, res, { phase: 'not_found', ...appOf(req) });
    },
    // Express recognizes error middleware by its arity: all four parameters must stay.
    errorHandler: function faultlineErrorHandler(err, req, res, _next) {
      fl.fail(err, req, res, appOf(req));
    },
    faultline: fl,
  };
}
