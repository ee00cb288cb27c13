/**
 * `createClient`: a fetch-compatible function that retries only what is safe, within a retry
 * budget and behind a circuit breaker, bounded by per-attempt timeouts and a total deadline.
 * Policy lives in the small modules it imports; this file only sequences them.
 */

import type { Outcome } from './attempt.js';
import { attemptOnce } from './attempt.js';
import { type BreakerState, type CircuitBreaker, CircuitBreakers } from './circuit-breaker.js';
import { type LinkedSignal, linkSignal, sleep } from './deadline.js';
import {
  BodyNotReplayableError,
  CircuitOpenError,
  NetworkError,
  type ResponseError,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  TimeoutError,
} from './errors.js';
import {
  type ClientOptions,
  type FaultlineRequestInit,
  type FetchInput,
  type ResolvedClientOptions,
  resolveOptions,
} from './options.js';
import { originOf, type Plan, plan } from './request-plan.js';
import { retryDate, toResponseError } from './response-error.js';
import { type Reservation, type RetryBudget, RetryBudgets } from './retry-budget.js';
import { isRetryableStatus } from './retry-policy.js';
import { boundRetryAfter, fullJitterDelay, parseRetryAfter } from './retry-timing.js';
import { whenBodySettled } from './settle-body.js';

/** The function `createClient` returns: call it like `fetch`. */
export interface FaultlineClient {
  (input: FetchInput, init?: FaultlineRequestInit): Promise<Response>;
  /**
   * Fetches (with `Accept: application/json` unless set) and parses the body, within the
   * deadline; `undefined` when the body is empty (204, or a 200 with no content).
   */
  json<T = unknown>(input: FetchInput, init?: FaultlineRequestInit): Promise<T | undefined>;
  /** Fetches and reads the body as text, within the deadline. */
  text(input: FetchInput, init?: FaultlineRequestInit): Promise<string>;
  /** The options in force, defaults applied. */
  readonly options: ResolvedClientOptions;
  /** Breaker state for an origin (`closed` when the breaker is disabled or holds nothing for it). */
  breakerState(origin: string): BreakerState;
}

function safely<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // Hooks observe; they must not change the outcome of a request.
  }
}

/** Whether a failed response says the server is overloaded: its retries are never refunded. */
function signalsOverload(response: Response | undefined): boolean {
  if (!response) return false;
  return response.status === 429 || response.status === 503 || response.headers.has('retry-after');
}

/** Internal: carries a final non-2xx response out of the retry loop when throwHttpErrors is off. */
class ReturnResponse {
  constructor(readonly response: Response) {}
}

/**
 * Creates a fetch-compatible client that copes with failing servers: typed errors for non-2xx,
 * retries only where safe (idempotent methods or an Idempotency-Key; replayable bodies only),
 * full-jitter backoff, bounded `Retry-After`, a retry budget and a circuit breaker per origin,
 * per-attempt timeouts and a total deadline.
 *
 * @example
 * ```ts
 * import { createClient, isResponseError } from 'faultline/client';
 *
 * const api = createClient({ prefixUrl: 'https://api.example.com', deadline: 5_000 });
 * try {
 *   const user = await api.json<{ name: string }>('users/7');
 * } catch (error) {
 *   if (isResponseError(error)) console.error(error.code, error.status, error.incident);
 *   else throw error;
 * }
 * ```
 */
export function createClient(options: ClientOptions = {}): FaultlineClient {
  const opts = resolveOptions(options);
  const { hooks } = opts;
  const budgets = opts.budget ? new RetryBudgets(opts.budget) : undefined;
  const breakers = opts.breaker
    ? new CircuitBreakers(
        opts.breaker,
        (origin, from, to) => safely(hooks.onBreakerStateChange, { origin, from, to }),
        opts.random,
      )
    : undefined;

  /**
   * Runs one logical request. With `consume`, the body is read inside, under the deadline and
   * the caller's signal; without, the response is returned and the caller's signal keeps
   * covering its body until that is read (then its listener is removed).
   */
  async function run(
    p: Plan,
    consume?: (response: Response) => Promise<unknown>,
  ): Promise<unknown> {
    const breaker: CircuitBreaker | undefined = breakers?.for(p.origin);
    const budget: RetryBudget | undefined = budgets?.for(p.origin);
    let attempts = 0;
    let gaveUp = false;
    const giveUp = (error: unknown): unknown => {
      if (!gaveUp)
        safely(hooks.onGiveUp, { request: p.summary, origin: p.origin, attempts, error });
      gaveUp = true;
      return error;
    };
    const admission = breaker?.admit() ?? { allowed: true, probe: false };
    if (!admission.allowed) {
      throw giveUp(new CircuitOpenError(p.origin, new Date(admission.retryAt)));
    }
    const probe = admission.probe;
    budget?.deposit();
    const deadlineMs = p.deadline === false ? 0 : p.deadline;
    const requestSignal = linkSignal(
      [p.callerSignal],
      p.deadline === false ? undefined : p.deadlineAt - Date.now(),
      () => new TimeoutError(p.summary, 'deadline', deadlineMs),
    );
    // Disposed when the request is over; handed to the body when a response is returned.
    let release: LinkedSignal | undefined = requestSignal;
    let verdict = false;
    const settleBreaker = (success: boolean): void => {
      if (verdict) return;
      verdict = true;
      breaker?.record(success, probe);
    };
    let reservation: Reservation | undefined;
    /** Settles the open retry reservation: failed, succeeded, or `undefined` = never decided. */
    const settleRetry = (failed: boolean | undefined): void => {
      if (reservation && budget) budget.settle(reservation, failed);
      reservation = undefined;
    };
    /** The failure being retried while waiting (a deadline passing in the wait is about it). */
    let waitingOn: Error | undefined;
    /** Reads a failed response's body into its error; a caller's abort meanwhile wins. */
    const errorOf = async (response: Response): Promise<ResponseError> => {
      const error = await toResponseError(response, p.summary, opts.maxErrorBodyBytes, Date.now());
      if (p.callerSignal?.aborted) throw p.callerSignal.reason;
      return error;
    };

    try {
      for (let attempt = 1; ; attempt++) {
        attempts = attempt;
        safely(hooks.onAttempt, { request: p.summary, origin: p.origin, attempt });
        const { outcome, signal } = await attemptOnce(opts, p, attempt, requestSignal.signal);
        const response = outcome.kind === 'response' ? outcome.response : undefined;
        if (
          response &&
          (response.ok || !isRetryableStatus(response.status, opts.retry.statusCodes))
        ) {
          // 2xx, or a status that says nothing about the server's health (e.g. 404): done.
          settleRetry(false);
          settleBreaker(true);
          signal.clearTimer();
          if (response.ok || !opts.throwHttpErrors) {
            if (consume) {
              const value = await consume(response);
              signal.dispose();
              return value;
            }
            return handBack(response);
          }
          const error = await errorOf(response);
          signal.dispose();
          throw giveUp(error);
        }
        // A failure: the retry that produced it (if any) failed.
        settleRetry(true);
        const retryable = response ? true : outcome.kind === 'error' && outcome.retryable;
        const stop = (wrap?: (cause: Error) => Error): Promise<never> =>
          finish(response, outcome, signal, wrap);
        if (!retryable || !p.mayRetry || attempt > p.limit) return await stop();
        if (p.bodyReplay === 'one-shot') {
          return await stop((cause) => new BodyNotReplayableError(p.summary, { cause }));
        }
        const now = Date.now();
        const remaining = p.deadlineAt - now;
        let delayMs: number;
        const retryAfterMs =
          response && opts.retry.afterStatusCodes.includes(response.status)
            ? parseRetryAfter(response.headers.get('retry-after'), now)
            : undefined;
        if (retryAfterMs !== undefined) {
          const bound = boundRetryAfter(
            retryAfterMs,
            opts.retry.maxRetryAfter,
            remaining,
            opts.minAttemptTime,
          );
          if (!bound.wait) {
            return await stop(
              (cause) =>
                new RetryAfterTooLongError(
                  cause as ResponseError,
                  retryDate(now, retryAfterMs),
                  retryAfterMs,
                  bound.limitMs,
                ),
            );
          }
          delayMs = bound.delayMs;
        } else {
          delayMs = fullJitterDelay(
            attempt,
            opts.retry.backoffBase,
            opts.retry.backoffCap,
            opts.random,
          );
          // No attempt starts that cannot finish before the deadline.
          if (remaining - delayMs < opts.minAttemptTime) return await stop();
        }
        if (breaker && !breaker.mayRetry(probe)) {
          return await stop((cause) => circuitOpen(breaker, attempt, cause));
        }
        if (budget) {
          reservation = budget.reserve(signalsOverload(response));
          if (!reservation) {
            return await stop((cause) => new RetryBudgetExhaustedError(p.origin, { cause }));
          }
        }
        const reason = outcome.kind === 'error' ? outcome.error : await errorOf(outcome.response);
        signal.dispose();
        safely(hooks.onRetry, {
          request: p.summary,
          origin: p.origin,
          attempt: attempt + 1,
          delayMs,
          error: reason,
        });
        waitingOn = reason;
        await sleep(delayMs, requestSignal.signal);
        waitingOn = undefined;
        // The breaker may have opened during the wait: then nothing more goes out.
        if (breaker && !breaker.mayRetry(probe)) {
          settleRetry(undefined);
          settleBreaker(false);
          throw giveUp(circuitOpen(breaker, attempt, reason));
        }
      }
    } catch (error) {
      settleRetry(undefined);
      if (error instanceof ReturnResponse) throw error;
      if (p.callerSignal?.aborted) {
        // The caller's abort is never wrapped: reject with its reason, as fetch does.
        breaker?.release(probe);
        verdict = true;
        throw giveUp(p.callerSignal.reason);
      }
      const timedOut: unknown = requestSignal.signal.aborted
        ? requestSignal.signal.reason
        : undefined;
      if (!verdict) {
        // A deadline passing mid-wait is a failure; anything else (a body factory or a hook
        // throwing, a body that is not JSON…) says nothing about the server: no verdict.
        if (error instanceof TimeoutError || error instanceof NetworkError) settleBreaker(false);
        else breaker?.release(probe);
        verdict = true;
      }
      if (error === timedOut && timedOut instanceof TimeoutError) {
        // The deadline passed in a wait or while reading a body: say what was being retried.
        throw giveUp(
          waitingOn
            ? new TimeoutError(p.summary, 'deadline', deadlineMs, { cause: waitingOn })
            : error,
        );
      }
      throw error;
    } finally {
      release?.dispose();
    }

    /**
     * Returns a response to the caller. The deadline stops here (the body is the caller's to
     * read), the caller's signal does not: its listener goes when the body has been read.
     */
    function handBack(response: Response): Response {
      const linked = requestSignal;
      linked.clearTimer();
      release = undefined;
      return p.callerSignal ? whenBodySettled(response, () => linked.dispose()) : response;
    }

    function circuitOpen(b: CircuitBreaker, sent: number, cause: Error): CircuitOpenError {
      const retryAt = b.state === 'open' ? b.openUntil : Date.now();
      return new CircuitOpenError(p.origin, new Date(retryAt), { cause, attempts: sent });
    }

    async function finish(
      response: Response | undefined,
      outcome: Outcome,
      signal: LinkedSignal,
      wrap?: (cause: Error) => Error,
    ): Promise<never> {
      settleBreaker(false);
      if (response && !opts.throwHttpErrors) {
        signal.clearTimer();
        // fetch semantics on request: hand back the last response, body unread.
        throw new ReturnResponse(handBack(response));
      }
      const cause = outcome.kind === 'error' ? outcome.error : await errorOf(outcome.response);
      signal.dispose();
      throw giveUp(wrap ? wrap(cause) : cause);
    }
  }

  async function call(
    input: FetchInput,
    init: FaultlineRequestInit,
    consume?: (response: Response) => Promise<unknown>,
  ): Promise<unknown> {
    const p = plan(opts, input, init);
    try {
      return await run(p, consume);
    } catch (error) {
      if (!(error instanceof ReturnResponse)) throw error;
      if (consume) return await consume(error.response);
      return error.response;
    }
  }

  const client = ((input: FetchInput, init: FaultlineRequestInit = {}) =>
    call(input, init)) as FaultlineClient;

  Object.defineProperties(client, {
    options: { value: opts, enumerable: true },
    json: {
      value: (input: FetchInput, init: FaultlineRequestInit = {}) => {
        const headers = new Headers(init.headers);
        if (!headers.has('accept')) headers.set('accept', 'application/json');
        return call(input, { ...init, headers }, async (response) => {
          const text = await response.text();
          return text === '' ? undefined : JSON.parse(text);
        });
      },
    },
    text: {
      value: (input: FetchInput, init: FaultlineRequestInit = {}) =>
        call(input, init, (response) => response.text()),
    },
    breakerState: {
      value: (origin: string): BreakerState =>
        breakers ? breakers.stateOf(originOf(origin)) : 'closed',
    },
  });
  return client;
}
