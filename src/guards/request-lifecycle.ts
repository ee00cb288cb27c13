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
  /** The response is over (finished or aborted). */
  onDone?(req: NodeRequest, res: NodeResponse): void;
}

/**
 * Per-request state, kept under a symbol on the request and the response rather than in a
 * WeakMap: this runs on every request, and ephemeron tables cost GC time under load.
 */
class RequestState {
  controller: AbortController | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** The outcome was recorded already (499 or deadline): later failures are not logged again. */
  settled: 'aborted' | 'deadline' | undefined = undefined;
  done = false;
  /** performance.now() when tracking began: the log record's duration. */
  readonly start = performance.now();

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

/** One shared listener (no closure per request); `this` is the response. */
function onResponseClose(this: NodeResponse): void {
  const state = stateOf(this);
  if (state === undefined) return;
  state.done = true;
  if (state.timer !== undefined) clearTimeout(state.timer);
  if (!this.writableFinished && state.settled === undefined) {
    state.settled = 'aborted';
    abort(state, clientClosedReason());
    state.hooks.onClientAbort(state.req, this);
  }
  state.hooks.onDone?.(state.req, this);
}

/** Starts tracking a request. `deadlineMs` undefined: no deadline. */
export function trackRequest(
  req: NodeRequest,
  res: NodeResponse,
  deadlineMs: number | undefined,
  hooks: LifecycleHooks,
): void {
  const state = new RequestState(req, res, hooks);
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

/** How the request ended early, if it did: the client left, or the deadline answered it. */
export function settledAs(req: object): 'aborted' | 'deadline' | undefined {
  return stateOf(req)?.settled;
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
