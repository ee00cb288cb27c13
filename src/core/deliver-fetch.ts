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
  const bytes = new TextEncoder().encode(response.body);
  headers.set('content-length', String(bytes.byteLength));
  const { status } = response;
  // The reason phrase the body's title uses (RFC 9110), for runtimes that write statusText.
  const init: ResponseInit = isErrorStatus(status)
    ? { status, statusText: statusTitle(status), headers }
    : { status, headers };
  return new Response(method === 'HEAD' ? null : bytes, init);
}

/** Request data for the core from a web `Request`; `remoteAddress` when the runtime knows it. */
export function fetchRequestInfo(
  fl: Faultline,
  request: Request,
  remoteAddress?: string | undefined,
): FaultRequest {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  let url = '/';
  try {
    const u = new URL(request.url);
    url = u.pathname + u.search;
  } catch {
    // A relative or malformed URL: the log keeps '/', never the raw value.
  }
  return {
    method: request.method,
    url,
    headers,
    remoteAddress,
    requestId: fl.requestId(headers),
  };
}

/**
 * Watches a response body: when the source fails mid-stream, `onError` is told and the body
 * errors with a generic error (never the original, whose message a runtime may print), so the
 * runtime cuts the response instead of ending it cleanly.
 */
export function watchBody(response: Response, onError: (err: unknown) => void): Response {
  const body = response.body;
  if (body === null) return response;
  const reader = body.getReader();
  const watched = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        onError(err);
        controller.error(new Error('faultline: the response body failed mid-stream'));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(watched, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
