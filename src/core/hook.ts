/**
 * hook: the `onFault` callback for custom reporters (Sentry and the like), isolated from the
 * response. It runs deferred (after the response path has returned), inside try/catch; a
 * returned promise's rejection is caught; a promise that never settles is never awaited, and at
 * most MAX_PENDING unsettled calls are kept before further calls are dropped (and counted), so a
 * hanging reporter cannot grow memory without bound. Failures are logged, at most once a window.
 */
import type { Fault } from './fault.js';
import type { LoggerLike, RequestInfo } from './report.js';
import type { Scrubber } from './scrub.js';

/** What an `onFault` hook receives besides the fault. */
export interface FaultContext {
  /** The request as the adapter described it (unscrubbed: scrub with `scrub`). */
  readonly request: RequestInfo | undefined;
  /** True when the fault was logged in full; false when storm control only counted it. */
  readonly logged: boolean;
  /** faultline's scrubber (built-in and configured rules), for what the hook sends elsewhere. */
  scrub(text: string): string;
}

/** A custom reporter. Its return value is ignored; a promise is not awaited. */
export type FaultHook = (fault: Fault, context: FaultContext) => unknown;

const MAX_PENDING = 1000;

const defer: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : queueMicrotask;

/** Calls a hook in isolation. */
export class HookRunner {
  readonly #hook: FaultHook;
  readonly #logger: LoggerLike | undefined;
  readonly #scrubber: Scrubber;
  readonly #windowMs: number;
  readonly #now: () => number;
  #pending = 0;
  #failures = 0;
  #dropped = 0;
  #lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    hook: FaultHook,
    logger: LoggerLike | undefined,
    scrubber: Scrubber,
    windowMs = 10_000,
    now: () => number = Date.now,
  ) {
    this.#hook = hook;
    this.#logger = logger;
    this.#scrubber = scrubber;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Hook calls scheduled or returned promises not settled yet. */
  get pending(): number {
    return this.#pending;
  }

  /** Schedules the hook for `fault`. Never throws, never waits. */
  run(fault: Fault, request: RequestInfo | undefined, logged: boolean): void {
    if (this.#pending >= MAX_PENDING) {
      this.#dropped++;
      return;
    }
    const scrubber = this.#scrubber;
    const context: FaultContext = {
      request,
      logged,
      scrub: (text) => scrubber.string(text),
    };
    this.#pending++;
    try {
      defer(() => this.#call(fault, context));
    } catch {
      this.#pending--;
      this.#dropped++;
    }
  }

  #call(fault: Fault, context: FaultContext): void {
    let result: unknown;
    try {
      result = this.#hook(fault, context);
    } catch (err) {
      this.#pending--;
      this.#failed(err, fault);
      return;
    }
    if (
      result === null ||
      typeof result !== 'object' ||
      typeof (result as PromiseLike<unknown>).then !== 'function'
    ) {
      this.#pending--;
      return;
    }
    try {
      (result as PromiseLike<unknown>).then(
        () => {
          this.#pending--;
        },
        (err: unknown) => {
          this.#pending--;
          this.#failed(err, fault);
        },
      );
    } catch (err) {
      this.#pending--;
      this.#failed(err, fault);
    }
  }

  #failed(err: unknown, fault: Fault): void {
    this.#failures++;
    const now = this.#now();
    if (now - this.#lastLog < this.#windowMs || this.#logger === undefined) return;
    this.#lastLog = now;
    const failures = this.#failures;
    const dropped = this.#dropped;
    this.#failures = 0;
    this.#dropped = 0;
    let name = 'unknown';
    let message = '';
    try {
      if (err instanceof Error) {
        name = err.name;
        message = this.#scrubber.string(String(err.message).slice(0, 2048));
      } else {
        message = this.#scrubber.string(String(err).slice(0, 2048));
      }
    } catch {
      // An unprintable rejection reason still counts as a failure.
    }
    try {
      this.#logger.error(
        {
          hook: 'onFault',
          incident: fault.public.incident,
          failures,
          dropped,
          error: { name, message },
        },
        'onFault hook failed',
      );
    } catch {
      // The logger is broken as well; nothing left to tell.
    }
  }
}
