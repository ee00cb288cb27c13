/**
 * deliver-fetch: the web-standard side of delivery, shared by faultline/fetch and faultline/hono.
 * An ErrorResponse becomes a `Response` (Vary: Accept, Content-Length, no body for HEAD), a
 * `Request` becomes the request data the pipeline needs, and a streamed body is watched so a
 * failure after the headers went out is reported and still breaks the transport.
 */
import { isPreservedHeader, mergeVary } from './deliver-node.js';
import type { ErrorResponse, Faultline, FaultRequest } from './pipeline.js';
import { isErrorStatus, statusTitle } from './status.js';

/**
 * Turns an ErrorResponse into a web `Response`. HEAD gets the headers without a body. Of
 * `handlerHeaders` (what the handler had set before failing) only the headers that always survive
 * (CORS, Vary, security policy) and those in `keep` are carried over, as in deliver-node.
 */
export function deliverFetch(
  response: ErrorResponse,
  method: string,
  handlerHeaders?: Headers,
  keep: ReadonlySet<string> = new Set(),
): Response {
  const headers = new Headers();
  handlerHeaders?.forEach((value, name) => {
    if (isPreservedHeader(name, keep)) headers.set(name, value);
  });
  headers.set('vary', mergeVary(headers.get('vary') ?? undefined));
  for (const [name, value] of response.headers) headers.set(name, value);
  const bytes =
    typeof response.body === 'string' ? new TextEncoder().encode(response.body) : response.body;
  headers.set('content-length', String(bytes.byteLength));
  const { status } = response;
  // The reason phrase the body's title uses (RFC 9110), for runtimes that write statusText.
  const init: ResponseInit = isErrorStatus(status)
    ? { status, statusText: statusTitle(status), headers }
    : { status, headers };
  return new Response(method === 'HEAD' ? null : bytes, init);
}

const START = Symbol('faultline.start');
const ENV = Symbol('faultline.env');
type Marked = { [START]?: number; [ENV]?: unknown };

/**
 * Notes when the request started (`performance.now()`), for the record's `durationMs`, and the
 * runtime's per-request argument (`env`; @hono/node-server's Node request and response), so that
 * a watched stream can be cut on the Node response. Kept on the request itself, like the Node
 * lifecycle state, so it costs no map entry per request.
 */
export function markStart(request: Request, env?: unknown): void {
  try {
    const marked = request as Marked;
    marked[START] = performance.now();
    if (env !== undefined) marked[ENV] = env;
  } catch {
    // A frozen or exotic request object: the record goes without a duration.
  }
}

/** The runtime's per-request argument noted by {@link markStart}, if any. */
export function envOf(request: Request): unknown {
  return (request as Marked)[ENV];
}

/** What a runtime knows of the connection a `Request` came on. */
export interface FetchPeer {
  readonly remoteAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly httpVersion?: string | undefined;
}

/**
 * The peer of a request served by @hono/node-server, which passes `{ incoming, outgoing }` (the
 * Node request and response) as the second argument of a fetch handler and as Hono's `c.env`.
 * Undefined elsewhere.
 */
export function incomingPeer(env: unknown): FetchPeer | undefined {
  try {
    const incoming = (env as { incoming?: unknown } | null | undefined)?.incoming as
      | { httpVersion?: unknown; socket?: { remoteAddress?: unknown; localPort?: unknown } }
      | undefined;
    if (incoming === undefined || incoming === null) return undefined;
    const { remoteAddress, localPort } = incoming.socket ?? {};
    return {
      remoteAddress: typeof remoteAddress === 'string' ? remoteAddress : undefined,
      localPort: typeof localPort === 'number' ? localPort : undefined,
      httpVersion: typeof incoming.httpVersion === 'string' ? incoming.httpVersion : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * Request data for the core from a web `Request`; the peer (a remote address, or what the runtime
 * knows of the connection) when there is one. Without a peer the debug gate always says no.
 */
export function fetchRequestInfo(
  fl: Faultline,
  request: Request,
  peer?: string | FetchPeer | undefined,
): FaultRequest {
  const p: FetchPeer = typeof peer === 'string' ? { remoteAddress: peer } : (peer ?? {});
  const headers: Record<string, string> = {};
  try {
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
  } catch {
    // Deno throws "Request closed" once the client has gone: the record goes without headers.
  }
  let url = '/';
  try {
    const u = new URL(request.url);
    url = u.pathname + u.search;
  } catch {
    // A relative or malformed URL: the log keeps '/', never the raw value.
  }
  let method = 'GET';
  try {
    method = request.method;
  } catch {
    // As above: a closed request may refuse every read.
  }
  return {
    method,
    url,
    headers,
    remoteAddress: p.remoteAddress,
    localPort: p.localPort,
    httpVersion: p.httpVersion,
    requestId: fl.requestId(headers),
    startTime: (request as Marked)[START],
  };
}

/** What @hono/node-server passes as `env.outgoing`: a node:http or node:http2 response. */
interface NodeOutgoing {
  readonly destroyed?: boolean;
  readonly stream?: { readonly destroyed?: boolean; close?: (code: number) => void };
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

// node:http2's NGHTTP2_INTERNAL_ERROR, as a literal: this module loads no node:* module.
const H2_INTERNAL_ERROR = 2;

/**
 * Under @hono/node-server (`env` is its `{ incoming, outgoing }`), cuts the Node response itself
 * and waits for its 'close'. The server then cancels its reader of the body and ends quietly;
 * had the body errored first, the server would print that error's stack with `console.error`
 * on every stream failure, outside the logger and storm control. Elsewhere (Bun, Deno, workers,
 * `app.fetch` in tests) a no-op.
 */
export async function cutNodeResponse(env: unknown): Promise<void> {
  const outgoing = (env as { outgoing?: NodeOutgoing } | null | undefined)?.outgoing;
  if (typeof outgoing?.destroy !== 'function' || typeof outgoing.once !== 'function') return;
  const h2 = outgoing.stream;
  // Already cut (e.g. the client went away): its 'close' has been or will be handled as such.
  if (outgoing.destroyed === true || h2?.destroyed === true) return;
  const closed = new Promise<void>((resolve) => outgoing.once('close', resolve));
  // HTTP/2: reset the stream with INTERNAL_ERROR, as faultline/node does; HTTP/1.1: destroy.
  if (typeof h2?.close === 'function') h2.close(H2_INTERNAL_ERROR);
  else outgoing.destroy();
  await closed;
}

/**
 * Watches a response body: when the source fails mid-stream, `onError` is told, `cut` (if given)
 * cuts the transport, and the body errors with a generic error (never the original, whose
 * message a runtime may print), so the runtime cuts the response instead of ending it cleanly.
 * When the runtime cancels the body before it ended (the client went away), `onCancel` is told
 * instead. At most one of `onError` and `onCancel` is called, once: the cancel that faultline's
 * own cut causes is not the client's.
 */
export function watchBody(
  response: Response,
  onError: (err: unknown) => void,
  onCancel?: () => void,
  cut?: () => Promise<void>,
): Response {
  const body = response.body;
  if (body === null) return response;
  const reader = body.getReader();
  let settled = false;
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        if (!settled) onError(err);
        settled = true;
        await cut?.();
        controller.error(new Error('faultline: the response body failed mid-stream'));
      }
    },
    cancel(reason) {
      if (!settled) onCancel?.();
      settled = true;
      return reader.cancel(reason);
    },
  });
  return new Response(watched, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
