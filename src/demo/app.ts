/**
 * The demo app: one route per way of failing, behind faultline/node. Used by `faultline demo`,
 * and by the end-to-end tests, so what people try is what is tested.
 */
import http from 'node:http';
import { faultline, type NodeFaultline } from '../adapters/node.js';
import { escapeHtml, PAGE_STYLE } from '../core/html-page.js';
import { httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';

/** The routes, with what a client gets from each; the home page and the terminal list them. */
export const DEMO_ROUTES: ReadonlyArray<readonly [path: string, what: string]> = [
  ['/fail/sync', '500 with an incident id; the stack stays in the log'],
  ['/fail/async', '500 from a rejected promise, the same answer'],
  ['/fail/secret', '500; the password in the message reaches only the log, redacted'],
  ['/fail/exposed', '422 with its message shown: it was written for the client'],
  ['/fail/unavailable', '503 with Retry-After: 120'],
  ['/fail/stream', '200, then the connection is cut mid-body (a network error, not a short page)'],
  ['/fail/non-error', '500 for a thrown plain object'],
];

const HOME_STYLE =
  'main{max-width:720px}ul{list-style:none;padding:0;margin:0}li{padding:10px 0;border-top:1px solid var(--line);color:var(--muted)}a{color:var(--accent)}';

/** The home page: the error page's look (light and dark, phone-sized), one line per route. */
function home(res: http.ServerResponse): void {
  const items = DEMO_ROUTES.map(
    ([p, what]) =>
      `<li><a href="${escapeHtml(p)}"><code>${escapeHtml(p)}</code></a> ${escapeHtml(what)}</li>`,
  ).join('');
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>faultline demo</title><style>${PAGE_STYLE}${HOME_STYLE}</style></head><body><main><h1>faultline demo</h1><p>Each link fails in its own way. Open one, then look at the terminal: the log line carries the same incident id as the page. Click one twice: storm control logs the first failure in full and counts the second, whose id is the first one&#39;s plus <code>.2</code>; search the log for the id up to its dot (<code>grep -F</code>). Ctrl-C writes the count.</p><ul>${items}</ul></main></body></html>\n`,
  );
}

/** Options of {@link createDemoServer}. */
export interface DemoOptions {
  /** The secret that /fail/secret puts in its error message. @default env FAULTLINE_DEMO_SECRET or 'hunter2' */
  secret?: string;
  /** faultline options (logger, debug, ...). */
  faultline?: FaultlineOptions;
}

/** The demo's request handler, wrapped by faultline. */
export function demoHandler(fl: NodeFaultline, secret: string): http.RequestListener {
  return fl.handle(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/':
        return home(res);
      case '/fail/sync':
        throw new Error('synchronous failure in /fail/sync');
      case '/fail/async':
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('asynchronous failure in /fail/async');
      case '/fail/secret':
        throw new Error(`could not connect to postgres://admin:${secret}@db.internal:5432/app`);
      case '/fail/exposed':
        throw httpErrors.unprocessableContent('email must be a valid address');
      case '/fail/unavailable':
        throw httpErrors.serviceUnavailable('maintenance window', {
          headers: { 'Retry-After': 120 },
        });
      case '/fail/stream': {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.write('first part of the body\n');
        await new Promise((r) => setTimeout(r, 20));
        throw new Error('the data source broke mid-stream');
      }
      case '/fail/non-error':
        throw { reason: 'a plain object, not an Error', secret };
      default:
        throw httpErrors.notFound();
    }
  });
}

/** Creates the demo server (not listening). */
export function createDemoServer(options: DemoOptions = {}): {
  server: http.Server;
  faultline: NodeFaultline;
} {
  const secret = options.secret ?? process.env.FAULTLINE_DEMO_SECRET ?? 'hunter2';
  const fl = faultline(options.faultline);
  const server = fl.attach(http.createServer(demoHandler(fl, secret)));
  return { server, faultline: fl };
}
