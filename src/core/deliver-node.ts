/**
 * deliver-node: writes an ErrorResponse to a node:http or node:http2 (compatibility API)
 * response, following finalhandler's checklist: handler-set headers that must not leak are
 * removed, the request body is drained, HEAD gets no body. When headers were already sent the
 * response cannot be made honest, so the transport is cut: HTTP/1.1 destroys the socket (no final
 * chunk, or short of Content-Length), HTTP/2 resets the stream with INTERNAL_ERROR.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Http2ServerRequest, type Http2ServerResponse, constants as h2 } from 'node:http2';
import type { ErrorResponse } from './pipeline.js';
import { isErrorStatus, statusTitle } from './status.js';

/** A node:http or node:http2 compatibility request. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;
/** A node:http or node:http2 compatibility response. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** Headers that survive an error response: CORS, caching variance, and security policy. */
const ALWAYS_KEPT = new Set([
  'vary',
  'strict-transport-security',
  'x-frame-options',
  'referrer-policy',
  'permissions-policy',
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
  'x-dns-prefetch-control',
  'x-permitted-cross-domain-policies',
  'origin-agent-cluster',
  'timing-allow-origin',
]);

/** Whether a handler-set header survives onto the error response. */
export function isPreservedHeader(name: string, extra: ReadonlySet<string>): boolean {
  return name.startsWith('access-control-') || ALWAYS_KEPT.has(name) || extra.has(name);
}

/** Cuts the response so the client sees a failure, never a body that looks complete. */
export function breakResponse(res: NodeResponse): void {
  if ('stream' in res && res.stream) {
    if (!res.stream.destroyed) res.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  (res as ServerResponse).destroy();
}

/**
 * Sets the HTTP/1.1 reason phrase to faultline's own (RFC 9110: 413 Content Too Large, 422
 * Unprocessable Content), so the status line agrees with the body's title; Node's table still has
 * the older names. HTTP/2 has no reason phrase.
 */
export function setReason(res: NodeResponse, status: number): void {
  if ('stream' in res || !isErrorStatus(status)) return;
  (res as ServerResponse).statusMessage = statusTitle(status);
}

/** Adds `Accept` to a Vary value: error bodies are negotiated on it. */
export function mergeVary(existing: unknown): string {
  const value = Array.isArray(existing)
    ? existing.join(', ')
    : typeof existing === 'string'
      ? existing
      : '';
  if (value === '') return 'Accept';
  if (value.trim() === '*' || /(^|,)\s*accept\s*(,|$)/i.test(value)) return value;
  return `${value}, Accept`;
}

/**
 * Removes handler-set headers that must not leak, then sets the error response's headers and
 * `Vary: Accept`. Used by delivery and by internal redirects.
 */
export function resetHeaders(
  res: NodeResponse,
  keep: ReadonlySet<string>,
  response: ErrorResponse,
): void {
  const r = res as ServerResponse;
  for (const name of r.getHeaderNames()) {
    if (!isPreservedHeader(name, keep)) r.removeHeader(name);
  }
  r.setHeader('vary', mergeVary(r.getHeader('vary')));
  for (const [name, value] of response.headers) r.setHeader(name, value);
}

/**
 * Writes `response` to `res` before headers were sent. `keep` are extra header names (lower-case)
 * besides the always-kept ones that a handler set and that must survive.
 */
export function deliverNode(
  req: NodeRequest,
  res: NodeResponse,
  response: ErrorResponse,
  keep: ReadonlySet<string>,
): void {
  const r = res as ServerResponse;
  resetHeaders(res, keep, response);
  r.statusCode = response.status;
  setReason(res, response.status);
  r.setHeader('content-length', Buffer.byteLength(response.body));
  // An unread request body needs no resume() here: Node's server dumps it when the response
  // finishes, and resuming eagerly costs every bodiless GET a tick.
  if (req.method === 'HEAD') r.end();
  else r.end(response.body);
}

/**
 * The double-fault path: a fixed minimal 500 that relies on as little of the response object as
 * possible. Header clean-up is best effort; a response that cannot even be written is cut.
 */
export function deliverLastResort(res: NodeResponse, response: ErrorResponse): void {
  const r = res as ServerResponse;
  if (r.headersSent) {
    breakResponse(res);
    return;
  }
  try {
    for (const name of r.getHeaderNames()) r.removeHeader(name);
  } catch {
    // Keep going: the fixed headers below still replace the ones that matter.
  }
  const headers: Record<string, string | number> = {
    'content-length': Buffer.byteLength(response.body),
  };
  for (const [name, value] of response.headers) headers[name] = value;
  r.writeHead(response.status, headers);
  r.end(response.body);
}
