/**
 * request-lifecycle: per-request state for the guards that are not about a thrown error —
 * a deadline (the handler did not start answering in time) and a client that went away (nginx's
 * 499). Each request handled by faultline gets an AbortSignal (created lazily: a request that
 * never asks for it pays nothing) that aborts on either.
 */
import type { ServerResponse } from 'node:http';
import type { NodeRequest, NodeResponse } from '../core/deliver-node.js';

/** What the adapter does when a guard fires. */
export interface LifecycleHooks {
  /** The deadline passed before the response started: answer 503/504. */
  onDeadline(req: NodeRequest, res: NodeResponse): void;
  /** The client closed the connection before the response completed: record a 499. */
  onClientAbort(req: NodeRequest, res: NodeResponse): void;
  /**
   * The server side destroyed the response with an error before it completed (Koa's and
   * Fastify's `stream.pipeline` do when the body's source fails): record that failure, once.
   */
  onBroken(req: NodeRequest, res: NodeResponse, err: unknown): void;
  /** The response is over (finished or aborted). */
  onDone?(req: NodeRequest, res: NodeResponse): void;
}

/**
 * How a request ended early: the client left, the deadline answered, or the error path recorded
 * its outcome (a failure after the headers that faultline cut itself, or a client gone first).
 */
export type Settled = 'aborted' | 'deadline' | 'recorded';

/** Request data only the framework knows, read when a record is written. */
export interface RequestDetails {
  /** The router's template, e.g. `/orders/:id`. */
  readonly route?: string | undefined;
  /** The framework's per-request logger (e.g. Fastify's `request.log`). */
  readonly logger?: unknown;
}

/**
 * Reads what the framework knows from its own request object. One shared function per adapter,
 * given the object, so describing a request allocates no closure.
 */
export type DetailsReader<T> = (source: T) => RequestDetails | undefined;

/**
 * Per-request state, kept under a symbol on the request and the response rather than in a
 * WeakMap: this runs on every request, and ephemeron tables cost GC time under load.
 */
class RequestState {
  controller: AbortController | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /**
   * The outcome was recorded already (499, deadline, or a failure after the headers that faultline
   * cut itself): later failures are not logged again, and a cut is not taken for a client abort.
   */
  settled: Settled | undefined = undefined;
  /** What the adapter knows of the request beyond Node's objects (route, framework logger). */
  details: DetailsReader<never> | undefined = undefined;
  /** The framework's request object the reader is given (Fastify's request, Koa's ctx). */
  source: unknown = undefined;
  done = false;
  /** performance.now() when tracking began: the log record's duration. */
  readonly start = performance.now();
  /** The peer, read while the connection is up: a 499 record is written after it closed. */
  remoteAddress: string | undefined = undefined;

  constructor(
    readonly req: NodeRequest,
    readonly res: NodeResponse,
    readonly hooks: LifecycleHooks,
  ) {}
}

const STATE = Symbol('faultline.request-state');
type Tracked = { [STATE]?: RequestState };

function stateOf(target: object): RequestState | undefined {
  return (target as Tracked)[STATE];
}

function clientClosedReason(): DOMException {
  return new DOMException(
    'The client closed the connection before the response was complete',
    'AbortError',
  );
}

function deadlineReason(): DOMException {
  return new DOMException(
    'The request deadline passed before the response started',
    'TimeoutError',
  );
}

function abort(state: RequestState, reason: DOMException): void {
  state.controller?.abort(reason);
}

function arm(req: NodeRequest, state: RequestState, ms: number): void {
  if (state.timer !== undefined) clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.timer = undefined;
    const { res } = state;
    // A handler that started answering (streaming, long responses) is left alone.
    if (state.done || res.headersSent || res.writableEnded) return;
    state.settled = 'deadline';
    abort(state, deadlineReason());
    state.hooks.onDeadline(req, res);
  }, ms);
  state.timer.unref?.();
}

/**
 * The response closed before it was complete. HTTP/2 compatibility responses report
 * `writableFinished` once the stream is closed, even by the client's RST_STREAM, which the
 * stream's `aborted` flag tells apart.
 */
function endedEarly(res: NodeResponse): boolean {
  if (!res.writableFinished) return true;
  return (res as { stream?: { aborted?: boolean } }).stream?.aborted === true;
}

/**
 * The error the server side destroyed the response with, if it did (`writable.errored`): a
 * response a framework cut because its body failed is not a client abort.
 */
export function brokenBy(res: NodeResponse): unknown {
  // HTTP/2: the stream carries it. A reset by the peer is the client's doing: none for CANCEL,
  // ERR_HTTP2_STREAM_ERROR for the other codes.
  const stream = (res as { stream?: { errored?: unknown } }).stream;
  if (stream !== undefined && stream !== null) {
    const errored = stream.errored ?? undefined;
    return (errored as { code?: unknown } | undefined)?.code === 'ERR_HTTP2_STREAM_ERROR'
      ? undefined
      : errored;
  }
  return (res as { errored?: unknown }).errored ?? undefined;
}

/** One shared listener (no closure per request); `this` is the response. */
function onResponseClose(this: NodeResponse): void {
  const state = stateOf(this);
  if (state === undefined) return;
  state.done = true;
  if (state.timer !== undefined) clearTimeout(state.timer);
  if (state.settled === undefined && endedEarly(this)) {
    const failure = brokenBy(this);
    if (failure !== undefined) {
      state.settled = 'recorded';
      state.hooks.onBroken(state.req, this, failure);
    } else {
      state.settled = 'aborted';
      abort(state, clientClosedReason());
      state.hooks.onClientAbort(state.req, this);
    }
  }
  state.hooks.onDone?.(state.req, this);
}

/**
 * Starts tracking a request. `deadlineMs` undefined: no deadline. A request tracked already (an
 * app wrapped by `fl.handle` whose framework adapter tracks too) keeps its first state, so its
 * abort is recorded once.
 */
export function trackRequest(
  req: NodeRequest,
  res: NodeResponse,
  deadlineMs: number | undefined,
  hooks: LifecycleHooks,
): void {
  if (stateOf(req) !== undefined) return;
  const state = new RequestState(req, res, hooks);
  // After a client abort the socket (an HTTP/2 stream's socket proxy) can no longer tell it.
  state.remoteAddress = req.socket?.remoteAddress;
  (req as Tracked)[STATE] = state;
  (res as Tracked)[STATE] = state;
  if (deadlineMs !== undefined) arm(req, state, deadlineMs);
  (res as ServerResponse).on('close', onResponseClose);
}

/**
 * The request's AbortSignal: aborts with an `AbortError` when the client goes away and with a
 * `TimeoutError` when the deadline passes. Pass it to fetch, database drivers, streams.
 * @example
 * const rows = await db.query(sql, { signal: abortSignal(req) });
 */
export function abortSignal(req: object): AbortSignal {
  const state = stateOf(req);
  if (state === undefined) return new AbortController().signal;
  if (state.controller === undefined) {
    state.controller = new AbortController();
    if (state.settled === 'aborted') state.controller.abort(clientClosedReason());
    else if (state.settled === 'deadline') state.controller.abort(deadlineReason());
  }
  return state.controller.signal;
}

/**
 * Replaces the request's deadline (per-route override), counted from now; `false` removes it.
 * @example
 * setDeadline(req, 60_000); // this report may take a minute
 */
export function setDeadline(req: NodeRequest, ms: number | false): void {
  const state = stateOf(req);
  if (state === undefined || state.done) return;
  if (ms === false) {
    if (state.timer !== undefined) clearTimeout(state.timer);
    state.timer = undefined;
    return;
  }
  arm(req, state, ms);
}

/** performance.now() when the request began, when faultline tracks it. */
export function startedAt(req: object): number | undefined {
  return stateOf(req)?.start;
}

/** The peer address read when tracking began, if the request is tracked. */
export function remoteAddressOf(req: object): string | undefined {
  return stateOf(req)?.remoteAddress;
}

/** How the request ended early, if it did (see {@link Settled}). */
export function settledAs(req: object): Settled | undefined {
  return stateOf(req)?.settled;
}

/**
 * Records that the error path wrote the request's record (a failure after the headers that
 * faultline is about to cut, or a failure after the client left), so the close that follows is
 * not recorded again as a client abort: one failure, one record.
 */
export function markRecorded(req: object): void {
  const state = stateOf(req);
  if (state !== undefined && state.settled === undefined) state.settled = 'recorded';
}

/** Lets the adapter supply the route and logger, read from `source` when a record is written. */
export function describeRequest<T>(req: object, reader: DetailsReader<T>, source: T): void {
  const state = stateOf(req);
  if (state === undefined) return;
  state.details = reader as DetailsReader<never>;
  state.source = source;
}

/** What the adapter said of the request (see {@link describeRequest}). Never throws. */
export function detailsOf(req: object): RequestDetails | undefined {
  const state = stateOf(req);
  if (state?.details === undefined) return undefined;
  try {
    return state.details(state.source as never);
  } catch {
    return undefined;
  }
}

/**
 * Makes every later write by a handler that lost the race a silent no-op, so a late
 * `res.write()` / `res.setHeader()` neither throws "headers already sent" nor crashes the process.
 */
export function silence(res: NodeResponse): void {
  const r = res as unknown as Record<string, unknown>;
  const self = (): unknown => res;
  for (const method of [
    'setHeader',
    'appendHeader',
    'removeHeader',
    'writeHead',
    'flushHeaders',
    'addTrailers',
  ]) {
    if (typeof r[method] === 'function') r[method] = self;
  }
  r.write = () => false;
  r.end = (...args: unknown[]) => {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (cb) queueMicrotask(cb);
    return res;
  };
}
