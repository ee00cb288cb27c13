/**
 * internal-redirect: NGINX's `error_page 500 /50x.html` for Node apps. The app itself serves the
 * error route: the request is re-dispatched with its URL replaced, its method turned to GET (HEAD
 * stays HEAD), and the original status forced unless the document says `'='` (the route's own).
 * The route can read the original status, path, method and incident with `errorContext(req)`, as
 * Apache's REDIRECT_STATUS / REDIRECT_URL. A request already inside an error route never gets
 * another one (NGINX `recursive_error_pages off`): its failure falls back to the built-in page.
 */
import type { ServerResponse } from 'node:http';
import {
  breakResponse,
  type NodeRequest,
  type NodeResponse,
  resetHeaders,
} from './deliver-node.js';
import type { ErrorResponse } from './pipeline.js';

/** What an error route knows of the request that failed. */
export interface ErrorContext {
  readonly status: number;
  /** The original request target (path and query). */
  readonly url: string;
  readonly method: string;
  readonly incident: string | undefined;
}

const contexts = new WeakMap<object, ErrorContext>();

/** The original failure, when `req` is being served by an error route; else undefined. */
export function errorContext(req: object): ErrorContext | undefined {
  return contexts.get(req);
}

/** Makes every header write use `status`, whatever the route sets. Returns the undo. */
function forceStatus(res: NodeResponse, status: number): () => void {
  type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  const r = res as unknown as { writeHead: WriteHead; statusCode: number };
  const original = r.writeHead;
  r.writeHead = function forcedWriteHead(_status, ...rest) {
    // Drop the route's reason phrase: it belongs to its own status, not the forced one.
    const args = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return original.call(this, status, ...args);
  };
  r.statusCode = status;
  return () => {
    r.writeHead = original;
  };
}

/**
 * Serves `response.route` by re-dispatching the request through `dispatch`. When the route fails
 * before answering, `fallback` answers (the built-in document); after headers, the response is cut.
 */
export function internalRedirect(
  req: NodeRequest,
  res: NodeResponse,
  response: ErrorResponse & { route: NonNullable<ErrorResponse['route']> },
  keep: ReadonlySet<string>,
  dispatch: (req: NodeRequest, res: NodeResponse) => unknown,
  fallback: (routeError: unknown) => void,
): void {
  contexts.set(req, {
    status: response.status,
    url: req.url ?? '/',
    method: req.method ?? 'GET',
    incident: response.fault?.public.incident,
  });
  resetHeaders(res, keep, response);
  for (const name of ['content-type', 'content-length', 'content-security-policy'])
    res.removeHeader(name);
  const undo =
    response.route.status === undefined ? () => {} : forceStatus(res, response.route.status);
  const onError = (err: unknown): void => {
    undo();
    if (res.headersSent) breakResponse(res);
    else fallback(err);
  };
  (req as { url: string }).url = response.route.path;
  if (req.method !== 'HEAD') (req as { method: string }).method = 'GET';
  let result: unknown;
  try {
    result = dispatch(req, res);
  } catch (err) {
    onError(err);
    return;
  }
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as Promise<unknown>).then === 'function'
  ) {
    (result as Promise<unknown>).then(undefined, onError);
  }
}
